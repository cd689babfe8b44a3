// Traffic control: qdiscs, classes, filters (TcClient) on the generated tc family.
export { TcClient, formatHandle, parseHandle, type TcStats, type TcQdisc, type TcClass, type TcFilter, type TcTarget, type TcQdiscInput, type TcFilterInput } from './client.js';
