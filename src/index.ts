// nlkit: a Netlink toolkit for Node.js.
export * from './core/index.js';
export * from './families/route/constants.js';
export * from './families/genl/constants.js';
export * from './io/index.js';
export {
  SpecError,
  loadSpec,
  parseSpec,
  compileFamily,
  compileCodecs,
  type FamilySpec,
  type Family,
  type DecodedMessage,
  type OperationCodec,
  type OperationModeCodec,
  type AttributeSetCodec,
  type StructCodec,
  type EncodeOptions,
  type ExtAckNames,
  type Obj,
  type UnknownAttribute,
} from './schema/index.js';
export {
  FamilyClient,
  type FamilyEvent,
  type FamilySubscription,
  type OperationName,
  type RequestOf,
  type ReplyOf,
  type MessageOf,
  type BatchMessage,
  type FamilyClientOptions,
  type FamilyCallOptions,
  type FamilyDumpOptions,
  type FamilyDump,
  type Notification,
} from './families/client.js';
export { GenericResolver, FamilyNotFoundError, parseFamilyMessage, type GenericFamilyInfo } from './families/genl/resolver.js';
export { generatedFamilies, type GeneratedFamilyName } from './families/generated/index.js';
export * as genl from './families/genl/index.js';
export * as netfilter from './families/netfilter/index.js';
export * from './families/custom/index.js';
export * as route from './families/route/index.js';
export { RouteClient } from './families/route/index.js';
export { applyOverlay } from './schema/load.js';
export * as uevent from './families/uevent/index.js';
export { UeventSocket, Uevent, UeventSubscription, readSysfsAttribute, type UeventData, type UeventOpenOptions, type UeventSubscribeOptions } from './families/uevent/index.js';
export * as connector from './families/connector/index.js';
export { ProcConnector, ProcEventSubscription, type ProcEvent, type ProcEventKind, type ProcConnectorOpenOptions, type ProcSubscribeOptions } from './families/connector/index.js';
export * as audit from './families/audit/index.js';
export { AuditClient, AuditRecordSubscription, type AuditStatus, type AuditStatusChange, type AuditFeatures, type AuditRule, type AuditRecord } from './families/audit/index.js';
export * as taskstats from './families/taskstats/index.js';
export { TaskstatsClient, TaskExitSubscription, type TaskStats, type TaskExit, type TaskstatsOpenOptions, type TaskExitOptions } from './families/taskstats/index.js';
export * as sockdiag from './families/sockdiag/index.js';
export {
  SockDiagClient,
  compileFilter as compileSockFilter,
  type SockDiagClientOptions,
  type InetSocket,
  type UnixSocket,
  type NetlinkSocketInfo,
  type PacketSocket,
  type InetQuery,
  type UnixQuery,
  type NetlinkQuery,
  type PacketQuery,
  type InetSocketKey,
  type InetProtocol,
  type TcpInfo,
  type SocketMemory,
  type SockFilter,
  type DestroyedSockets,
  type DestroyedOptions,
} from './families/sockdiag/index.js';
export { ConntrackClient } from './families/netfilter/conntrack.js';
export {
  IpsetClient,
  IpsetError,
  type IpsetCreateInput,
  type IpsetEntry,
  type IpsetEntryInput,
  type IpsetHeader,
  type IpsetSet,
  type IpsetType,
} from './families/netfilter/ipset.js';
export { NftablesClient } from './families/netfilter/nftables.js';
export * as tc from './families/tc/index.js';
export { TcClient } from './families/tc/index.js';
export { NflogSocket, NflogSubscription, type NflogPacket, type NflogSubscribeOptions } from './families/netfilter/nflog.js';
export { NfqueueSocket, NfqueueSubscription, NfqueuePacket, NfqueueVerdictError, type NfqueueOptions, type NfqueueVerdict } from './families/netfilter/nfqueue.js';
export * as xfrm from './families/xfrm/index.js';
export {
  XfrmClient,
  XfrmEvents,
  decodeXfrmEvent,
  type XfrmAcquire,
  type XfrmEvent,
  type XfrmGroup,
  type XfrmMonitorOptions,
  type XfrmPolicy,
  type XfrmPolicyInput,
  type XfrmPolicyKey,
  type XfrmSelector,
  type XfrmState,
  type XfrmStateInput,
  type XfrmStateKey,
  type XfrmTemplate,
} from './families/xfrm/index.js';
