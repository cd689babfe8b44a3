// IP sets (NFNL_SUBSYS_IPSET): a typed client on the generated ipset module
// (specs/ipset.yaml). Sets and elements come back as camelCase objects with
// addresses as text and counters as bigint; writes take the same shape.
// What goes on the wire follows ipset's lib/session.c: a protocol handshake
// first, IPSET_ATTR_PROTOCOL in every request, the set type's revision asked
// of the kernel (IPSET_CMD_TYPE) before a create, NLA_F_NET_BYTEORDER on every
// attribute in network byte order (ip_set_core.c refuses one without it).
import { checkBigInteger, checkBool, checkInteger, checkString, describe } from '../../core/check.js';
import { NLA_F_NET_BYTEORDER, NLA_TYPE_MASK, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import { errnoCode, errnoDescription } from '../../core/errno.js';
import { NetlinkError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import { NetlinkSocket, type CallOptions, type OpenOptions } from '../../io/socket.js';
import type { AttributeSpec } from '../../schema/model.js';
import type { AdtDataAttrs, AdtDataAttrsInput, CadtFlags, CmdAttrs, CreateDataAttrs, CreateDataAttrsInput, IpaddrAttrs } from '../generated/ipset.js';
import { NFNETLINK_V0, NFPROTO } from './index.js';
import { ipsetFamily, type IpsetFamilyModule } from './families.js';

import {
  BITMAP_ERRNO_NAMES,
  ERRNO_NAMES as IPSET_ERRNO_NAMES,
  HASH_ERRNO_NAMES,
  IPSET_ERR_PRIVATE,
  IPSET_ERR_TYPE_SPECIFIC,
  IPSET_MAX_COMMENT_SIZE,
  IPSET_MAXNAMELEN,
  IPSET_PROTOCOL,
  IPSET_PROTOCOL_MIN,
  LIST_ERRNO_NAMES,
} from '../generated/ipset.constants.js';

// IPSET_PROTOCOL (the version nlkit speaks, as ipset 7.x), IPSET_PROTOCOL_MIN
// (the oldest it accepts from the kernel), IPSET_MAXNAMELEN (NUL included)
// and IPSET_MAX_COMMENT_SIZE, from the spec.
export { IPSET_MAX_COMMENT_SIZE, IPSET_MAXNAMELEN, IPSET_PROTOCOL, IPSET_PROTOCOL_MIN };

/** Address families of sets, by the names ipset prints. */
export type IpsetFamily = 'inet' | 'inet6';

/** Set types this client knows the element layout of (others can be listed, not written). */
export type IpsetType =
  | 'hash:ip'
  | 'hash:net'
  | 'hash:ip,port'
  | 'hash:net,iface'
  | 'hash:net,port'
  | 'hash:ip,port,ip'
  | 'hash:ip,port,net'
  | 'bitmap:port'
  | 'bitmap:ip'
  | 'bitmap:ip,mac'
  | 'list:set';

/** The set types of {@link IpsetType}. */
export const IPSET_TYPES: readonly IpsetType[] = [
  'hash:ip',
  'hash:net',
  'hash:ip,port',
  'hash:net,iface',
  'hash:net,port',
  'hash:ip,port,ip',
  'hash:ip,port,net',
  'bitmap:port',
  'bitmap:ip',
  'bitmap:ip,mac',
  'list:set',
];

/** Options of {@link IpsetClient.open}. */
export interface IpsetClientOptions extends OpenOptions {
  /** A NETLINK_NETFILTER socket to use instead of opening one (it stays open on close()). */
  socket?: NetlinkSocket;
}

/** The ports of a bitmap:port set. */
export interface IpsetPortRange {
  /** First port. */
  from: number;
  /** Last port. */
  to: number;
}

/** The addresses of a bitmap:ip or bitmap:ip,mac set: FROM-TO, or FROM/CIDR to create one. */
export interface IpsetAddressRange {
  /** First address. */
  from: string;
  /** Last address. */
  to?: string;
  /** Or: the prefix length of the network that starts at `from` (create only). */
  cidr?: number;
}

/** What the kernel says of a set by its name (IPSET_CMD_HEADER). */
export interface IpsetSetInfo {
  /** Set name. */
  name: string;
  /** Set type ('hash:ip' ...). */
  type: string;
  /** Revision of the type. */
  revision: number;
  /** Address family ('unspec' for family neutral types). */
  family: IpsetHeader['family'];
}

/** One item of a streamed listing: a set's header, then its elements. */
export type IpsetListItem =
  | {
      /** The header of the set whose elements follow. */
      header: IpsetHeader;
    }
  | {
      /** Name of the set the element is in. */
      set: string;
      /** The element. */
      member: IpsetEntry;
    };

/** A set to create. */
export interface IpsetCreateInput {
  /** Set type. */
  type: IpsetType;
  /** Address family of hash:* sets (default 'inet'). */
  family?: IpsetFamily;
  /** Initial hash size (hash:*). */
  hashsize?: number;
  /** Most elements (hash:*). */
  maxelem?: number;
  /** Prefix length addresses are stored with (hash:ip, hash:ip,port). */
  netmask?: number;
  /** Default timeout of elements in seconds; makes the set one with timeouts (0: no default, but timeouts allowed). */
  timeout?: number;
  /** Packet and byte counters per element. */
  counters?: boolean;
  /** A comment per element. */
  comment?: boolean;
  /** When full, replace a random element instead of failing (hash:*). */
  forceadd?: boolean;
  /** skbmark / skbprio / skbqueue per element. */
  skbinfo?: boolean;
  /** Elements per hash bucket (hash:*). */
  bucketsize?: number;
  /** Hash seed (hash:*): equal seeds and inserts give equal listing orders. */
  initval?: number;
  /** Port range of a bitmap:port set (required there). */
  range?: IpsetPortRange;
  /** Addresses of a bitmap:ip or bitmap:ip,mac set (required there). */
  ipRange?: IpsetAddressRange;
  /** Slots of a list:set (default 8). */
  size?: number;
  /** Succeed when a set of that name and same options exists (ipset -exist). */
  exist?: boolean;
}

/** A set's header as the kernel lists it. */
export interface IpsetHeader {
  /** Set name. */
  name: string;
  /** Set type ('hash:ip' ...). */
  type: string;
  /** Revision of the type the set was created with. */
  revision: number;
  /** 'inet', 'inet6', or 'unspec' for bitmap:port and list:set (a number when unknown). */
  family: IpsetFamily | 'unspec' | number;
  /** Hash size. */
  hashsize?: number;
  /** Most elements. */
  maxelem?: number;
  /** Netmask, when not the full length. */
  netmask?: number;
  /** Bitmask, when given at create. */
  bitmask?: string;
  /** Default timeout, when the set has timeouts. */
  timeout?: number;
  /** Elements have counters. */
  counters: boolean;
  /** Elements have comments. */
  comment: boolean;
  /** forceadd was given. */
  forceadd: boolean;
  /** Elements have skbinfo. */
  skbinfo: boolean;
  /** Bucket size. */
  bucketsize?: number;
  /** Hash seed. */
  initval?: number;
  /** Port range of a bitmap:port set. */
  range?: IpsetPortRange;
  /** Addresses of a bitmap:ip or bitmap:ip,mac set. */
  ipRange?: IpsetAddressRange;
  /** Slots of a list:set. */
  size?: number;
  /** Mark mask (hash:ip,mark). */
  markmask?: number;
  /** Bytes of kernel memory. */
  memsize: number;
  /** References from iptables, tc or list:set sets. */
  references: number;
  /** Number of elements (kernels since 4.x). */
  elements?: number;
}

/** An element, as listed or to write. Which fields apply depends on the set type. */
export interface IpsetEntry {
  /** Address (hash:ip, hash:net, hash:ip,port, hash:net,iface). */
  ip?: string;
  /** Prefix length of `ip` (hash:net, hash:net,iface; a range of addresses in hash:ip). */
  cidr?: number;
  /** Last address of a range (written as a range; listed sets hold single elements). */
  ipTo?: string;
  /** Port (hash:ip,port, bitmap:port), or ICMP type << 8 | code for icmp / icmpv6. */
  port?: number;
  /** Last port of a range. */
  portTo?: number;
  /** IP protocol number of hash:ip,port (default 6, tcp). */
  proto?: number;
  /** Interface name (hash:net,iface). */
  iface?: string;
  /** Second address (hash:ip,port,ip, hash:ip,port,net). */
  ip2?: string;
  /** Prefix length of `ip2` (hash:ip,port,net). */
  cidr2?: number;
  /** Last address of a range of second addresses (written as a range). */
  ip2To?: string;
  /** MAC address (bitmap:ip,mac). */
  ether?: string;
  /** Packet mark (hash:ip,mark). */
  mark?: number;
  /** The interface is a bridge port (physdev:). */
  physdev?: boolean;
  /** The interface name is a prefix (hash:net,iface wildcard). */
  wildcard?: boolean;
  /** The element is an exception (hash:net*, nomatch). */
  nomatch?: boolean;
  /** Member set of a list:set. */
  name?: string;
  /** Seconds left (listed), or the timeout to set (0: never expires). */
  timeout?: number;
  /** Packets counted. */
  packets?: bigint;
  /** Bytes counted. */
  bytes?: bigint;
  /** Comment. */
  comment?: string;
  /** skbinfo mark << 32 | mask. */
  skbmark?: bigint;
  /** skbinfo priority (major << 16 | minor). */
  skbprio?: number;
  /** skbinfo queue. */
  skbqueue?: number;
}

/** An element to add, delete or test. */
export interface IpsetEntryInput extends Omit<IpsetEntry, 'packets' | 'bytes' | 'skbmark'> {
  /** Packets to start the counter at. */
  packets?: bigint | number;
  /** Bytes to start the counter at. */
  bytes?: bigint | number;
  /** skbinfo mark << 32 | mask. */
  skbmark?: bigint | number;
  /** list:set: the member set goes before this one. */
  before?: string;
  /** list:set: the member set goes after this one. */
  after?: string;
}

/** A set with its elements. */
export interface IpsetSet extends IpsetHeader {
  /** The elements, in the kernel's order. */
  members: IpsetEntry[];
}

/** Options of adding and deleting. */
export interface IpsetWriteOptions extends CallOptions {
  /** Ignore an element that is already in (add) or not in (del) the set (ipset -exist). */
  exist?: boolean;
  /** Line number for the kernel's bookkeeping of restore (IPSET_ATTR_LINENO). */
  lineno?: number;
}

/** Options of listing. */
export interface IpsetListOptions extends CallOptions {
  /** Only this set (default every set). */
  name?: string;
  /** Headers only, no elements (ipset list -terse). */
  terse?: boolean;
}

// ipset's messages for the kernel's errors (lib/errcode.c), by spec enum name
// and, where the command changes the meaning, by command.
const CORE_MESSAGES: Record<string, string | Record<string, string>> = {
  ENOENT: 'The set with the given name does not exist',
  EMSGSIZE: 'Kernel error received: message could not be created',
  ERANGE: 'The specified range is too large, split it up into smaller ranges',
  protocol: 'Kernel error received: ipset protocol error',
  EEXIST: { create: 'Set cannot be created: set with the same name already exists', type: 'Kernel error received: set type does not supported' },
  'find-type': 'Kernel error received: set type not supported',
  'max-sets': 'Kernel error received: maximal number of sets reached, cannot create more.',
  'invalid-netmask': 'The value of the netmask parameter is invalid',
  'invalid-markmask': 'The value of the markmask parameter is invalid',
  'invalid-family': 'Protocol family not supported by the set type',
  'bitmask-netmask-excl': 'netmask and bitmask options are mutually exclusive, provide only one',
  busy: { destroy: 'Set cannot be destroyed: it is in use by a kernel component' },
  'exist-setname2': {
    rename: 'Set cannot be renamed: a set with the new name already exists',
    swap: 'Sets cannot be swapped: the second set does not exist',
  },
  referenced: { rename: 'Set cannot be renamed: it is in use by another system' },
  'type-mismatch': { swap: 'The sets cannot be swapped: their type does not match' },
  'invalid-cidr': 'The value of the CIDR parameter of the IP address is invalid',
  timeout: 'Timeout cannot be used: set was created without timeout support',
  'ipaddr-ipv4': 'An IPv4 address is expected, but not received',
  'ipaddr-ipv6': 'An IPv6 address is expected, but not received',
  counter: 'Packet/byte counters cannot be used: set was created without counter support',
  comment: 'Comment cannot be used: set was created without comment support',
  skbinfo: 'Skbinfo mapping cannot be used: set was created without skbinfo support',
  exist: { add: "Element cannot be added to the set: it's already added", del: "Element cannot be deleted from the set: it's not added" },
};
const TYPE_MESSAGES: Record<'hash' | 'bitmap' | 'list', Record<string, string | Record<string, string>>> = {
  bitmap: {
    'bitmap-range': 'Element is out of the range of the set',
    'bitmap-range-size': { create: 'The range you specified exceeds the size limit of the set type' },
  },
  hash: {
    'hash-full': 'Hash is full, cannot add more elements',
    'hash-elem': 'Null-valued element, cannot be stored in a hash type of set',
    'invalid-proto': 'Invalid protocol specified',
    'missing-proto': 'Protocol missing, but must be specified',
    'hash-range-unsupported': 'Range is not supported in the "net" component of the element',
    'hash-range': 'Invalid range, covers the whole address space',
  },
  list: {
    name: 'Set to be added/deleted/tested as element does not exist.',
    loop: 'Sets with list:set type cannot be added to the set.',
    before: 'No reference set specified.',
    nameref: "The set to which you referred with 'before' or 'after' does not exist.",
    'list-full': 'The set is full, more elements cannot be added.',
    'ref-exist': "The set to which you referred with 'before' or 'after' is not added to the set.",
  },
};

// The spec's errno, hash-errno, bitmap-errno and list-errno enums (from the
// generated constants, so that reading an error needs no loaded family).
const ERRNO_NAMES = (errno: number): string | undefined => (errno < IPSET_ERR_TYPE_SPECIFIC ? IPSET_ERRNO_NAMES[errno] : undefined);
const TYPE_ERRNO_NAMES = { hash: HASH_ERRNO_NAMES, bitmap: BITMAP_ERRNO_NAMES, list: LIST_ERRNO_NAMES };

function typeClass(type: string | undefined): 'hash' | 'bitmap' | 'list' | undefined {
  if (type === undefined) return undefined;
  if (type.startsWith('hash:')) return 'hash';
  if (type.startsWith('bitmap:')) return 'bitmap';
  if (type.startsWith('list:')) return 'list';
  return undefined;
}

function pick(entry: string | Record<string, string> | undefined, command: string): string | undefined {
  if (entry === undefined || typeof entry === 'string') return entry;
  return entry[command];
}

/** ipset's reading of a kernel error. */
export interface IpsetErrorMeaning {
  /** The IPSET_ERR_* it is, as the spec names it ('exist', 'hash-full' ...); undefined for plain errnos. */
  reason: string | undefined;
  /** What ipset prints for it. */
  text: string;
}

/**
 * The meaning ipset gives a kernel error of a command (lib/errcode.c): its
 * IPSET_ERR_* name (lower case, without the prefix, as the spec names it)
 * and ipset's message. `type` is the set's type, which type-specific errors
 * (4352 and up) need.
 */
export function ipsetErrorMeaning(errno: number, command: string, type?: string): IpsetErrorMeaning {
  const cls = typeClass(type);
  let reason: string | undefined;
  let text: string | undefined;
  if (errno >= IPSET_ERR_TYPE_SPECIFIC && cls) {
    reason = TYPE_ERRNO_NAMES[cls][errno];
    if (reason !== undefined) text = pick(TYPE_MESSAGES[cls][reason], command);
  }
  if (text === undefined) {
    if (errno >= IPSET_ERR_PRIVATE) reason ??= ERRNO_NAMES(errno);
    const key = errno >= IPSET_ERR_PRIVATE ? reason : errnoCode(errno);
    text = key === undefined ? undefined : pick(CORE_MESSAGES[key], command);
  }
  if (text === undefined) {
    text = errno < IPSET_ERR_PRIVATE ? `Kernel error received: ${errnoDescription(errno)}` : `Undecoded error ${errno} received from kernel`;
  }
  return { reason, text };
}

/** A kernel rejection of an ipset command, with ipset's reading of it. */
export class IpsetError extends NetlinkError {
  /** The IPSET_ERR_* the errno is, as the spec names it ('exist', 'hash-full' ...); undefined for plain errnos. */
  readonly reason: string | undefined;
  /** What ipset prints for it (after "ipset vX: "). */
  readonly ipsetMessage: string;
  /** The ipset command ('add', 'create' ...). */
  readonly command: string;
  constructor(cause: NetlinkError, command: string, type?: string) {
    super(cause.errno, {
      extAck: cause.extAck,
      ...(cause.seq !== undefined ? { seq: cause.seq } : {}),
      ...(cause.requestType !== undefined ? { requestType: cause.requestType } : {}),
      requestName: `ipset ${command}`,
    });
    const { reason, text } = ipsetErrorMeaning(cause.errno, command, type);
    this.reason = reason;
    this.ipsetMessage = text;
    this.command = command;
    this.message = `ipset ${command} failed: ${text} (${reason !== undefined ? `IPSET_ERR_${reason.toUpperCase().replaceAll('-', '_')}` : this.code})`;
  }
}

// ---- NLA_F_NET_BYTEORDER --------------------------------------------------

let attributeSets: Map<string, Map<number, AttributeSpec>> | undefined;
/** The spec's attribute sets by name, their attributes by number (built on first use). */
function sets(): Map<string, Map<number, AttributeSpec>> {
  return (attributeSets ??= new Map(ipsetFamily.get().spec.attributeSets.map((s) => [s.name, new Map(s.attributes.map((a) => [a.value, a]))])));
}

/**
 * Sets NLA_F_NET_BYTEORDER on every attribute of an encoded request that the
 * spec gives in network byte order, nests walked by their attribute sets: the
 * generated encoder writes the bytes big-endian but, like every netlink-raw
 * family, leaves the type's flag bits alone; ipset's kernel side demands the flag.
 * Needs the family loaded (netfilter.loadIpsetFamily(), or an open IpsetClient).
 */
export function markNetByteOrder(bytes: Uint8Array, attributeSet: string, start = 20, end = bytes.length): Uint8Array {
  const set = sets().get(attributeSet);
  if (!set) throw new RangeError(`attributeSet: no attribute set '${attributeSet}' in the ipset spec`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  while (at + 4 <= end) {
    const len = dv.getUint16(at, true);
    if (len < 4 || at + len > end) break;
    const raw = dv.getUint16(at + 2, true);
    const a = set.get(raw & NLA_TYPE_MASK);
    if (a?.type === 'nest' && a.nestedAttributes !== undefined) markNetByteOrder(bytes, a.nestedAttributes, at + 4, at + len);
    else if (a?.byteOrder === 'big-endian') dv.setUint16(at + 2, raw | NLA_F_NET_BYTEORDER, true);
    at += (len + 3) & ~3;
  }
  return bytes;
}

// ---- conversions ------------------------------------------------------------

// A function, not a table: ./index.js re-exports this module, so NFPROTO is not yet set while this one loads.
function familyNumber(f: IpsetFamily): number {
  return f === 'inet6' ? NFPROTO.ipv6 : NFPROTO.ipv4;
}

function familyName(n: number | undefined): IpsetHeader['family'] {
  if (n === NFPROTO.ipv4) return 'inet';
  if (n === NFPROTO.ipv6) return 'inet6';
  if (n === NFPROTO.unspec || n === undefined) return 'unspec';
  return n;
}

function addrText(a: IpaddrAttrs | undefined): string | undefined {
  if (!a) return undefined;
  if (a.ipv4 !== undefined) return a.ipv4;
  if (typeof a.ipv6 === 'string') return a.ipv6;
  return undefined;
}

function addrInput(text: string, field: string): { ipv4: string } | { ipv6: string } {
  if (typeof text !== 'string') throw new TypeError(`${field} must be an IPv4 or IPv6 address string, got ${describe(text)}`);
  if (text.includes(':')) return { ipv6: text };
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text) || text.split('.').some((o) => Number(o) > 255)) {
    throw new RangeError(`${field} must be an IPv4 or IPv6 address, got ${describe(text)}`);
  }
  return { ipv4: text };
}

/** A set header from a list reply's attributes. */
export function toIpsetHeader(m: CmdAttrs): IpsetHeader {
  const d: Partial<CreateDataAttrs> = m.data ?? {};
  const flags = (d['cadt-flags'] ?? []) as (CadtFlags | number)[];
  const h: IpsetHeader = {
    name: m.setname ?? '',
    type: m.typename ?? '',
    revision: m.revision ?? 0,
    family: familyName(m.family),
    counters: flags.includes('with-counters'),
    comment: flags.includes('with-comment'),
    forceadd: flags.includes('with-forceadd'),
    skbinfo: flags.includes('with-skbinfo'),
    memsize: d.memsize ?? 0,
    references: d.references ?? 0,
  };
  if (d.hashsize !== undefined) h.hashsize = d.hashsize;
  if (d.maxelem !== undefined) h.maxelem = d.maxelem;
  if (d.netmask !== undefined) h.netmask = d.netmask;
  const bitmask = addrText(d.bitmask);
  if (bitmask !== undefined) h.bitmask = bitmask;
  if (d.timeout !== undefined) h.timeout = d.timeout;
  if (d.bucketsize !== undefined) h.bucketsize = d.bucketsize;
  if (d.initval !== undefined) h.initval = d.initval;
  if (d.port !== undefined) h.range = { from: d.port, to: d['port-to'] ?? d.port };
  const from = addrText(d.ip);
  if (from !== undefined) h.ipRange = { from, to: addrText(d['ip-to']) ?? from };
  if (d.size !== undefined) h.size = d.size;
  if (d.markmask !== undefined) h.markmask = d.markmask;
  if (d.elements !== undefined) h.elements = d.elements;
  return h;
}

/** An element from a list reply's attributes. */
export function toIpsetEntry(d: AdtDataAttrs): IpsetEntry {
  const e: IpsetEntry = {};
  const ip = addrText(d.ip);
  if (ip !== undefined) e.ip = ip;
  if (d.cidr !== undefined) e.cidr = d.cidr;
  const ipTo = addrText(d['ip-to']);
  if (ipTo !== undefined) e.ipTo = ipTo;
  if (d.port !== undefined) e.port = d.port;
  if (d['port-to'] !== undefined) e.portTo = d['port-to'];
  if (d.proto !== undefined) e.proto = d.proto;
  if (d.iface !== undefined) e.iface = d.iface;
  const ip2 = addrText(d.ip2);
  if (ip2 !== undefined) e.ip2 = ip2;
  if (d.cidr2 !== undefined) e.cidr2 = d.cidr2;
  const ip2To = addrText(d['ip2-to']);
  if (ip2To !== undefined) e.ip2To = ip2To;
  if (d.ether !== undefined) e.ether = d.ether;
  if (d.mark !== undefined) e.mark = d.mark;
  const flags = (d['cadt-flags'] ?? []) as (CadtFlags | number)[];
  if (flags.includes('physdev')) e.physdev = true;
  if (flags.includes('iface-wildcard')) e.wildcard = true;
  if (flags.includes('nomatch')) e.nomatch = true;
  if (d.name !== undefined) e.name = d.name;
  if (d.timeout !== undefined) e.timeout = d.timeout;
  if (d.packets !== undefined) e.packets = d.packets;
  if (d.bytes !== undefined) e.bytes = d.bytes;
  if (d.comment !== undefined) e.comment = d.comment;
  if (d.skbmark !== undefined) e.skbmark = d.skbmark;
  if (d.skbprio !== undefined) e.skbprio = d.skbprio;
  if (d.skbqueue !== undefined) e.skbqueue = d.skbqueue;
  return e;
}

function checkIPv4(x: unknown, field: string): string {
  const a = addrInput(x as string, field);
  if (!('ipv4' in a)) throw new RangeError(`${field} must be an IPv4 address, got ${describe(x)}`);
  return a.ipv4;
}

function checkSetName(x: unknown, field: string): string {
  const s = checkString(x, field);
  if (s.length === 0 || Buffer.byteLength(s) >= IPSET_MAXNAMELEN) {
    throw new RangeError(`${field} must be 1 to ${IPSET_MAXNAMELEN - 1} bytes, got ${describe(x)}`);
  }
  return s;
}

function checkPort(x: unknown, field: string): number {
  return checkInteger(x, field, 0, 0xffff);
}

/** The create attributes of a set to create (what ipset's create sends in IPSET_ATTR_DATA). */
export function createData(input: IpsetCreateInput): CreateDataAttrsInput {
  if (input === null || typeof input !== 'object') throw new TypeError(`set must be an object { type, ... }, got ${describe(input)}`);
  if (!IPSET_TYPES.includes(input.type)) throw new RangeError(`type must be one of ${IPSET_TYPES.join(', ')}, got ${describe(input.type)}`);
  const hash = input.type.startsWith('hash:');
  const d: CreateDataAttrsInput = {};
  const only = (key: keyof IpsetCreateInput, ok: boolean): boolean => {
    if (input[key] === undefined) return false;
    if (!ok) throw new RangeError(`${key} is not an option of ${input.type} sets`);
    return true;
  };
  if (input.family !== undefined && input.family !== 'inet' && input.family !== 'inet6') throw new RangeError(`family must be 'inet' or 'inet6', got ${describe(input.family)}`);
  only('family', hash);
  if (only('hashsize', hash)) d.hashsize = checkInteger(input.hashsize, 'hashsize', 0, 0xffffffff);
  if (only('maxelem', hash)) d.maxelem = checkInteger(input.maxelem, 'maxelem', 0, 0xffffffff);
  if (only('netmask', input.type === 'hash:ip' || input.type === 'hash:ip,port' || input.type === 'bitmap:ip')) {
    d.netmask = checkInteger(input.netmask, 'netmask', 1, input.family === 'inet6' ? 128 : 32);
  }
  if (input.timeout !== undefined) d.timeout = checkInteger(input.timeout, 'timeout', 0, 2147483);
  if (only('bucketsize', hash)) d.bucketsize = checkInteger(input.bucketsize, 'bucketsize', 0, 255);
  if (only('initval', hash)) d.initval = checkInteger(input.initval, 'initval', 0, 0xffffffff);
  if (input.type === 'bitmap:port') {
    if (input.range === null || typeof input.range !== 'object') throw new TypeError(`range must be { from, to } for bitmap:port sets, got ${describe(input.range)}`);
    const from = checkPort(input.range.from, 'range.from');
    const to = checkPort(input.range.to, 'range.to');
    d.port = Math.min(from, to);
    d['port-to'] = Math.max(from, to);
  } else only('range', false);
  if (input.type === 'bitmap:ip' || input.type === 'bitmap:ip,mac') {
    const r = input.ipRange;
    if (r === null || typeof r !== 'object') throw new TypeError(`ipRange must be { from, to } or { from, cidr } for ${input.type} sets, got ${describe(r)}`);
    d.ip = { ipv4: checkIPv4(r.from, 'ipRange.from') };
    // Neither `to` nor `cidr`: the kernel refuses it (IPSET_ERR_PROTOCOL), as it refuses ipset's `range FROM`.
    if (r.to !== undefined) d['ip-to'] = { ipv4: checkIPv4(r.to, 'ipRange.to') };
    else if (r.cidr !== undefined) d.cidr = checkInteger(r.cidr, 'ipRange.cidr', 1, 32);
  } else only('ipRange', false);
  if (only('size', input.type === 'list:set')) d.size = checkInteger(input.size, 'size', 0, 0xffffffff);
  const flags: CadtFlags[] = [];
  if (input.counters !== undefined && checkBool(input.counters, 'counters')) flags.push('with-counters');
  if (input.comment !== undefined && checkBool(input.comment, 'comment')) flags.push('with-comment');
  if (only('forceadd', hash) && checkBool(input.forceadd, 'forceadd')) flags.push('with-forceadd');
  if (input.skbinfo !== undefined && checkBool(input.skbinfo, 'skbinfo')) flags.push('with-skbinfo');
  if (flags.length > 0) d['cadt-flags'] = flags;
  return d;
}

/** The element attributes of an entry (what ipset's add / del / test send in IPSET_ATTR_DATA). */
export function entryData(input: IpsetEntryInput, field = 'entry'): AdtDataAttrsInput {
  if (input === null || typeof input !== 'object') throw new TypeError(`${field} must be an object, got ${describe(input)}`);
  const d: AdtDataAttrsInput = {};
  if (input.ip !== undefined) d.ip = addrInput(input.ip, `${field}.ip`);
  if (input.ipTo !== undefined) d['ip-to'] = addrInput(input.ipTo, `${field}.ipTo`);
  if (input.cidr !== undefined) d.cidr = checkInteger(input.cidr, `${field}.cidr`, 0, d.ip && 'ipv6' in d.ip ? 128 : 32);
  if (input.port !== undefined) d.port = checkPort(input.port, `${field}.port`);
  if (input.portTo !== undefined) d['port-to'] = checkPort(input.portTo, `${field}.portTo`);
  if (input.proto !== undefined) d.proto = checkInteger(input.proto, `${field}.proto`, 0, 255);
  if (input.ip2 !== undefined) d.ip2 = addrInput(input.ip2, `${field}.ip2`);
  if (input.ip2To !== undefined) d['ip2-to'] = addrInput(input.ip2To, `${field}.ip2To`);
  if (input.cidr2 !== undefined) d.cidr2 = checkInteger(input.cidr2, `${field}.cidr2`, 0, d.ip2 && 'ipv6' in d.ip2 ? 128 : 32);
  if (input.ether !== undefined) {
    if (typeof input.ether !== 'string' || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(input.ether))
      throw new RangeError(`${field}.ether must be a MAC address like 02:00:00:00:00:01, got ${describe(input.ether)}`);
    d.ether = input.ether;
  }
  if (input.mark !== undefined) d.mark = checkInteger(input.mark, `${field}.mark`, 0, 0xffffffff);
  if (input.iface !== undefined) {
    const s = checkString(input.iface, `${field}.iface`);
    if (s.length === 0 || Buffer.byteLength(s) > 15) throw new RangeError(`${field}.iface must be 1 to 15 bytes, got ${describe(s)}`);
    d.iface = s;
  }
  if (input.name !== undefined) d.name = checkSetName(input.name, `${field}.name`);
  if (input.before !== undefined && input.after !== undefined) throw new RangeError(`${field}: give before or after, not both`);
  if (input.before !== undefined) d.nameref = checkSetName(input.before, `${field}.before`);
  if (input.after !== undefined) d.nameref = checkSetName(input.after, `${field}.after`);
  if (input.timeout !== undefined) d.timeout = checkInteger(input.timeout, `${field}.timeout`, 0, 2147483);
  if (input.packets !== undefined) d.packets = checkBigInteger(BigInt(checkCounter(input.packets, `${field}.packets`)), `${field}.packets`, 0n, 2n ** 64n - 1n);
  if (input.bytes !== undefined) d.bytes = checkBigInteger(BigInt(checkCounter(input.bytes, `${field}.bytes`)), `${field}.bytes`, 0n, 2n ** 64n - 1n);
  if (input.comment !== undefined) {
    const c = checkString(input.comment, `${field}.comment`);
    if (Buffer.byteLength(c) > IPSET_MAX_COMMENT_SIZE) throw new RangeError(`${field}.comment must be at most ${IPSET_MAX_COMMENT_SIZE} bytes`);
    d.comment = c;
  }
  if (input.skbmark !== undefined) d.skbmark = checkBigInteger(BigInt(checkCounter(input.skbmark, `${field}.skbmark`)), `${field}.skbmark`, 0n, 2n ** 64n - 1n);
  if (input.skbprio !== undefined) d.skbprio = checkInteger(input.skbprio, `${field}.skbprio`, 0, 0xffffffff);
  if (input.skbqueue !== undefined) d.skbqueue = checkInteger(input.skbqueue, `${field}.skbqueue`, 0, 0xffff);
  const flags: CadtFlags[] = [];
  if (input.before !== undefined) flags.push('before');
  if (input.physdev !== undefined && checkBool(input.physdev, `${field}.physdev`)) flags.push('physdev');
  if (input.nomatch !== undefined && checkBool(input.nomatch, `${field}.nomatch`)) flags.push('nomatch');
  if (input.wildcard !== undefined && checkBool(input.wildcard, `${field}.wildcard`)) flags.push('iface-wildcard');
  if (flags.length > 0) d['cadt-flags'] = flags;
  return d;
}

function checkCounter(x: unknown, field: string): bigint | number {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isSafeInteger(x)) return x;
  throw typeof x === 'number'
    ? new RangeError(`${field} must be a non-negative integer, got ${describe(x)}`)
    : new TypeError(`${field} must be a bigint or integer, got ${describe(x)}`);
}

// ---- the client -------------------------------------------------------------

type OpName = keyof IpsetFamilyModule['ops'];

/** Options of {@link encodeIpsetRequest}. */
export interface IpsetRequestOptions {
  /** nlmsg_flags. */
  flags: number;
  /** nfgenmsg.nfgen_family (default NFPROTO_IPV4, as ipset sends). */
  family?: number;
  /** nlmsg_seq (default 0). */
  seq?: number;
}

/**
 * Encodes an ipset request as the kernel wants it: the generated encoder,
 * then NLA_F_NET_BYTEORDER on the attributes the spec gives in network byte
 * order. `value` holds the operation's attributes (protocol included).
 * Needs the family loaded (netfilter.loadIpsetFamily(), or an open IpsetClient).
 */
export function encodeIpsetRequest(op: OpName, mode: 'do' | 'dump', value: object, options: IpsetRequestOptions, writer = new MessageWriter(256)): Uint8Array {
  const codec = ipsetFamily.get().ops[op];
  const m = codec[mode as 'do'] as { encodeRequest(w: MessageWriter, v: object, o: object): MessageWriter } | undefined;
  if (!m) throw new RangeError(`op: ipset ${op} has no ${mode} mode`);
  const w = writer.reset();
  m.encodeRequest(
    w,
    { 'nfgen-family': options.family ?? NFPROTO.ipv4, version: NFNETLINK_V0, 'res-id': 0, ...value },
    { flags: options.flags, ...(options.seq !== undefined ? { seq: options.seq } : {}) },
  );
  return markNetByteOrder(w.finishCopy(), codec.attributeSet);
}

/**
 * A client for IP sets: create, list, add, delete and test elements, flush,
 * rename, swap and destroy sets.
 *
 * ```ts
 * await using ipset = await IpsetClient.open({ netns: 'blue' });
 * await ipset.create('allow', { type: 'hash:ip', timeout: 600, counters: true });
 * await ipset.add('allow', { ip: '192.0.2.1', comment: 'gw' });
 * await ipset.test('allow', { ip: '192.0.2.1' }); // true
 * ```
 */
export class IpsetClient implements AsyncDisposable {
  private readonly writer = new MessageWriter(1024);

  private constructor(
    /** The NETLINK_NETFILTER socket underneath. */
    readonly socket: NetlinkSocket,
    private readonly ownsSocket: boolean,
    /** The protocol version requests carry: the newest both nlkit and the kernel speak. */
    readonly protocol: number,
  ) {}

  /**
   * Opens a NETLINK_NETFILTER socket (in `netns` when given) and agrees on
   * the protocol version with the kernel, as ipset does first: a kernel whose
   * range does not meet 6..7 is refused with a RangeError.
   */
  static async open(options: IpsetClientOptions = {}): Promise<IpsetClient> {
    const { socket: given, ...openOptions } = options;
    const family = await ipsetFamily.load();
    if (given !== undefined && given.protocol !== family.protonum) throw new RangeError(`socket is of protocol ${given.protocol}, ipset needs ${family.protonum}`);
    const socket = given ?? (await NetlinkSocket.open(family.protonum, openOptions));
    try {
      const probe = new IpsetClient(socket, false, IPSET_PROTOCOL);
      const [reply] = await probe.call('protocol', {}, NLM_F_REQUEST, {});
      const max = reply?.protocol ?? 0;
      const min = reply?.['protocol-min'] ?? max;
      if (max < IPSET_PROTOCOL_MIN || min > IPSET_PROTOCOL) {
        throw new RangeError(`Kernel support protocol versions ${min}-${max} while userspace supports protocol versions ${IPSET_PROTOCOL_MIN}-${IPSET_PROTOCOL}`);
      }
      return new IpsetClient(socket, given === undefined, Math.min(max, IPSET_PROTOCOL));
    } catch (err) {
      if (given === undefined) socket.close();
      throw err;
    }
  }

  private encode(op: OpName, mode: 'do' | 'dump', value: object, flags: number, family: number): Uint8Array {
    return encodeIpsetRequest(op, mode, { ...value, protocol: this.protocol }, { flags, family }, this.writer);
  }

  private async call(op: OpName, value: object, flags: number, options: CallOptions, family: number = NFPROTO.ipv4, type?: string): Promise<CmdAttrs[]> {
    const bytes = this.encode(op, 'do', value, flags, family);
    const codec = ipsetFamily.get().ops[op];
    try {
      const replies = await this.socket.request(bytes, { ...options, name: `ipset ${op}` });
      return replies.map((m) => codec.decodeReply(m) as CmdAttrs);
    } catch (err) {
      throw await this.explain(err, op, value, type);
    }
  }

  // A kernel error becomes an IpsetError; a type-specific one first asks the set's type (as ipset keeps it from its header request).
  private async explain(err: unknown, op: string, value: object, type?: string): Promise<unknown> {
    if (!(err instanceof NetlinkError) || err instanceof IpsetError) return err;
    let t = type;
    const setname = (value as { setname?: string }).setname;
    if (t === undefined && err.errno >= IPSET_ERR_TYPE_SPECIFIC && setname !== undefined) t = (await this.header(setname).catch(() => undefined))?.type;
    return new IpsetError(err, op, t);
  }

  /** Creates a set (fails when one of that name exists, unless `exist`). */
  async create(name: string, set: IpsetCreateInput, options: CallOptions = {}): Promise<void> {
    const setname = checkSetName(name, 'name');
    const data = createData(set);
    // Hash types take either family; bitmap:ip and bitmap:ip,mac are IPv4 only; the others are family neutral.
    const family = set.type.startsWith('hash:') ? familyNumber(set.family ?? 'inet') : set.type.startsWith('bitmap:ip') ? NFPROTO.ipv4 : NFPROTO.unspec;
    const revision = await this.typeRevision(set.type, family, options);
    const flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | (set.exist === true ? 0 : NLM_F_EXCL);
    await this.call('create', { setname, typename: set.type, revision, family, data }, flags, options, NFPROTO.ipv4, set.type);
  }

  /** The newest revision of a set type the kernel has (IPSET_CMD_TYPE), as ipset asks before a create. */
  async typeRevision(type: string, family: number = NFPROTO.ipv4, options: CallOptions = {}): Promise<number> {
    const typename = checkString(type, 'type');
    const [reply] = await this.call('type', { typename, family }, NLM_F_REQUEST, options);
    const r = (reply as { revision?: number } | undefined)?.revision;
    if (r === undefined) throw new NetlinkError(71, { requestName: 'ipset type' });
    return r;
  }

  /** Destroys a set, or every set (none may be referenced) when no name is given. */
  async destroy(name?: string, options: CallOptions = {}): Promise<void> {
    await this.call('destroy', name === undefined ? {} : { setname: checkSetName(name, 'name') }, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL, options);
  }

  /** Removes every element of a set, or of every set when no name is given. */
  async flush(name?: string, options: CallOptions = {}): Promise<void> {
    await this.call('flush', name === undefined ? {} : { setname: checkSetName(name, 'name') }, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL, options);
  }

  /** Renames a set. */
  async rename(from: string, to: string, options: CallOptions = {}): Promise<void> {
    await this.call('rename', { setname: checkSetName(from, 'from'), setname2: checkSetName(to, 'to') }, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL, options);
  }

  /** Swaps two sets of compatible types: each takes the other's name. */
  async swap(a: string, b: string, options: CallOptions = {}): Promise<void> {
    await this.call('swap', { setname: checkSetName(a, 'a'), setname2: checkSetName(b, 'b') }, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL, options);
  }

  /** Type, revision and family of a set (IPSET_CMD_HEADER); undefined when there is no such set. */
  async header(name: string, options: CallOptions = {}): Promise<IpsetSetInfo | undefined> {
    const setname = checkSetName(name, 'name');
    try {
      const [r] = await this.call('header', { setname }, NLM_F_REQUEST, options);
      return { name: r?.setname ?? setname, type: r?.typename ?? '', revision: r?.revision ?? 0, family: familyName(r?.family) };
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === 2) return undefined;
      throw err;
    }
  }

  /** Adds an element (fails when it is in the set, unless `exist`). */
  async add(name: string, entry: IpsetEntryInput, options: IpsetWriteOptions = {}): Promise<void> {
    await this.adt('add', name, entry, options);
  }

  /** Deletes an element (fails when it is not in the set, unless `exist`). */
  async del(name: string, entry: IpsetEntryInput, options: IpsetWriteOptions = {}): Promise<void> {
    await this.adt('del', name, entry, options);
  }

  /** Whether an element is in the set (ipset test: an ack means yes, IPSET_ERR_EXIST no). */
  async test(name: string, entry: IpsetEntryInput, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.adt('test', name, entry, options);
      return true;
    } catch (err) {
      if (err instanceof IpsetError && err.reason === 'exist') return false;
      throw err;
    }
  }

  private async adt(op: 'add' | 'del' | 'test', name: string, entry: IpsetEntryInput, options: IpsetWriteOptions): Promise<void> {
    const setname = checkSetName(name, 'name');
    const data = entryData(entry);
    const { exist, lineno, ...call } = options;
    if (exist !== undefined) checkBool(exist, 'exist');
    data.lineno = lineno === undefined ? 0 : checkInteger(lineno, 'lineno', 0, 0xffffffff);
    // As ipset: NLM_F_EXCL unless -exist (the kernel reads its absence as IPSET_FLAG_EXIST); test sends neither.
    const flags = NLM_F_REQUEST | NLM_F_ACK | (op !== 'test' && exist !== true ? NLM_F_EXCL : 0);
    const value = { setname, data };
    const family = data.ip && 'ipv6' in data.ip ? NFPROTO.ipv6 : NFPROTO.ipv4;
    await this.call(op, value, flags, call, family);
  }

  /**
   * Streams the sets with their elements, one set at a time as the dump
   * completes it (the kernel spreads a large set over many messages).
   */
  async *list(options: IpsetListOptions = {}): AsyncGenerator<IpsetSet> {
    let current: IpsetSet | undefined;
    for await (const item of this.listItems(options)) {
      if ('member' in item) {
        current?.members.push(item.member);
        continue;
      }
      if (current) yield current;
      current = { ...item.header, members: [] };
    }
    if (current) yield current;
  }

  /** Every set, as an array. */
  async listAll(options: IpsetListOptions = {}): Promise<IpsetSet[]> {
    const out: IpsetSet[] = [];
    for await (const s of this.list(options)) out.push(s);
    return out;
  }

  /**
   * Streams a listing as it arrives: each set's header, then its elements one
   * by one (for sets too large to hold).
   */
  async *listItems(options: IpsetListOptions = {}): AsyncGenerator<IpsetListItem> {
    const { name, terse, ...call } = options;
    const value: Record<string, unknown> = {};
    if (name !== undefined) value.setname = checkSetName(name, 'name');
    if (terse !== undefined && checkBool(terse, 'terse')) value.flags = ['list-header'];
    const bytes = this.encode('list', 'dump', value, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, NFPROTO.ipv4);
    const codec = ipsetFamily.get().ops.list;
    let last: string | undefined;
    try {
      for await (const m of this.socket.dump(bytes, { ...call, name: 'ipset list' })) {
        const r = codec.decodeReply(m as MessageView) as CmdAttrs;
        const setname = r.setname ?? '';
        if (r.typename !== undefined || setname !== last) {
          if (r.typename !== undefined) yield { header: toIpsetHeader(r) };
          last = setname;
        }
        for (const d of r.adt?.data ?? []) yield { set: setname, member: toIpsetEntry(d) };
      }
    } catch (err) {
      throw await this.explain(err, 'list', value);
    }
  }

  /** Closes the socket (when the client opened it). */
  close(): void {
    if (this.ownsSocket) this.socket.close();
  }

  /** Closes the client (await using). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
