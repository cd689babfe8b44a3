// The I/O layer: the only code that touches the native addon.
export { NetlinkSocket, DEFAULT_RCVBUF, DEFAULT_SLAB_SIZE } from './socket.js';
export { DumpIterator } from './dump.js';
export type { OpenOptions, CallOptions, RequestOptions, DumpOptions, IncomingHandler, ExtAckDescription } from './socket.js';
export { Subscription, isOverrun } from './subscription.js';
export { DecodedSubscription, type MalformedHandler } from './decoded.js';
export type { Overrun, SubscriptionItem, SubscribeOptions, Datagram } from './subscription.js';
export * as netns from './netns.js';
export type { NetnsTarget, NetnsPath, NetnsPid, NetnsFd } from './netns.js';
export * as tuntap from './tuntap.js';
export type { TuntapMode, TuntapCreateOptions, TuntapRemoveOptions } from './tuntap.js';
