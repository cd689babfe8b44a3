// The kernel connector (NETLINK_CONNECTOR): the cn_msg header, and the proc
// connector's process events.
export * from './cn.js';
export {
  PROC_CN_MCAST_LISTEN,
  PROC_CN_MCAST_IGNORE,
  PROC_EVENT,
  PROC_EVENT_ALL,
  decodeProcEvent,
  decodeProcMessage,
  ProcConnector,
  ProcEventSubscription,
  type ProcEvent,
  type ProcEventKind,
  type ProcConnectorOpenOptions,
  type ProcSubscribeOptions,
} from './proc.js';
