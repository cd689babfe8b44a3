// Generic netlink: family and group resolution through nlctrl, and what
// nlctrl tells about a family's operations and attribute policies.
//
//   import { genl } from 'nlkit';
//   const p = await genl.policy(socket, ethtool, { op: 'rings-get' });
export { FamilyNotFoundError, GenericResolver, getFamilyRequest, parseFamilyMessage, type ControlEvent, type GenericFamilyInfo } from './resolver.js';
export { GENL_ADMIN_PERM, GENL_CMD_CAP_DO, GENL_CMD_CAP_DUMP, GENL_CMD_CAP_HASPOL, GENL_UNS_ADMIN_PERM } from './constants.js';
export {
  GENL_OP_FLAG_NAMES,
  GenericPolicy,
  getPolicyRequest,
  operationFlagNames,
  operations,
  parsePolicyMessage,
  policy,
  type AttributePolicy,
  type FamilyRef,
  type GenericOperation,
  type GenericOperationFlag,
  type OperationPolicy,
  type OperationsOptions,
  type PolicyAttributeType,
  type PolicyMessage,
  type PolicyOptions,
  type PolicyTree,
  type PolicyTreeEntry,
} from './control.js';

import type { CallOptions, NetlinkSocket } from '../../io/socket.js';
import { GenericResolver, type GenericFamilyInfo } from './resolver.js';

/** Resolves one family by name (id, version, header size, operations, groups) with a one-off resolver. */
export function resolve(socket: NetlinkSocket, name: string, options: CallOptions = {}): Promise<GenericFamilyInfo> {
  return new GenericResolver(socket).resolve(name, options);
}

/** Every generic netlink family the kernel has registered. */
export function families(socket: NetlinkSocket, options: CallOptions = {}): Promise<GenericFamilyInfo[]> {
  return new GenericResolver(socket).list(options);
}
