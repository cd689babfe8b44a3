// IPsec (NETLINK_XFRM): the typed client, its objects and the event decoder.
export * from './client.js';
export * from './convert.js';
