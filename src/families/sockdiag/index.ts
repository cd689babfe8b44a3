// sock_diag (NETLINK_SOCK_DIAG): what `ss` reads. See client.ts.
export * from './client.js';
export { compileFilter, matchFilter, checkFilter, type SockFilter, type PortOperator, type FilterSubject } from './filter.js';
export { formatAddress, parseAddress, type AddressBytes } from './address.js';
