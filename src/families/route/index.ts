// Typed rtnetlink clients: links, addresses, routes, neighbours, rules,
// nexthop objects, namespace ids and netconf; typed events and live views.
export {
  RouteClient,
  LinkClient,
  AddressClient,
  RouteTableClient,
  NeighbourClient,
  RuleClient,
  NsidClient,
  NetconfClient,
  type RouteClientOptions,
  type RouteCallOptions,
} from './client.js';
export { LINK_KINDS, type Link, type LinkFilter, type LinkInput, type LinkSettings, type LinkStats, type VethPeer, type VxlanData, type TunData } from './links.js';
export { FOREVER, type Address, type AddressFilter, type AddressFlag, type AddressInput } from './addresses.js';
export type { Route, RouteFilter, RouteInput, RouteGetOptions, RouteType, Nexthop, NexthopInput, Encap, EncapInput } from './routes.js';
export {
  NexthopClient,
  type NexthopObject,
  type NexthopObjectInput,
  type NexthopFilter,
  type NexthopGroupMember,
  type NexthopGroupType,
  type NexthopGroupStats,
  type NexthopStatsOptions,
  type NexthopBucket,
  type NexthopBucketFilter,
  type ResilientSettings,
} from './nexthops.js';
export type { Neighbour, NeighbourFilter, NeighbourInput, NeighbourState } from './neighbours.js';
export {
  BridgeClient,
  type BridgeContext,
  type FdbEntry,
  type FdbInput,
  type FdbState,
  type BridgePort,
  type BridgePortSettings,
  type BridgeVlan,
  type BridgeVlanInput,
  type MdbEntry,
  type MdbInput,
} from './bridge.js';
export type { Rule, RuleFilter, RuleInput, RuleAction } from './rules.js';
export { NSID_NOT_ASSIGNED, type Nsid, type Netconf } from './netns.js';
export {
  EVENT_KINDS,
  Monitor,
  Watch,
  decodeEvent,
  type EventKind,
  type KindObjects,
  type KindFilters,
  type RouteEvent,
  type WatchEvent,
  type MonitorOptions,
  type WatchOptions,
} from './events.js';
export type { Family } from './convert.js';
export { loadFamilies, type RouteFamilies } from './families.js';
