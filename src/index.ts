// nlkit: a Netlink toolkit for Node.js.
export * from './core/index.js';
export * from './io/index.js';
