// Custom families: define a family in YNL (YAML or a TypeScript object), serve
// it from user space on NETLINK_USERSOCK with FamilyServer, and talk to it
// with FamilyClient.open(family, { port: server.port }).
export { defineFamily, loadFamily, usersockSpec, USERSOCK_GROUPS, DEFAULT_CUSTOM_FAMILY_ID } from './define.js';
export type { CustomFamily, CustomFamilyOptions, OperationNames, YnlSpec, YnlAttribute, YnlOperation } from './define.js';
export { FamilyServer, MAX_DATAGRAM, DEFAULT_DATAGRAM_SIZE, DEFAULT_DUMP_BURST, DEFAULT_MAX_PEERS } from './server.js';
export type { DoHandler, DoResult, DumpHandler, FamilyHandlers, FamilyServerOptions, FamilyServerStats, OperationHandler, OperationsOf, RequestContext } from './server.js';
export { FamilyServerError } from './error.js';
export type { RejectDetails } from './error.js';
