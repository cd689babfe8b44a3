// IPsec (NETLINK_XFRM): a typed client on the generated xfrm module
// (specs/xfrm.yaml). SAs and policies come back as camelCase objects with
// addresses as text and u64 counters as bigint; writes take the same shape.
// Each xfrm message type has its own fixed header, and a request is often
// answered with another type (GETSA with NEWSA), so replies are decoded by
// their message type (family.decode), not by the request's operation.
// Kernel behaviour cited from net/xfrm/xfrm_user.c.
import { checkInteger, checkU32, describe } from '../../core/check.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkDecodeError, NetlinkError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import { DecodedSubscription, type MalformedHandler } from '../../io/decoded.js';
import { NetlinkSocket, type CallOptions, type OpenOptions } from '../../io/socket.js';
import type { SubscribeOptions } from '../../io/subscription.js';
import type { Obj } from '../../schema/runtime.js';
import type {
  XfrmAttrs,
  XfrmAttrsInput,
  XfrmMode,
  XfrmPolicyDir,
  XfrmPolicyType,
  XfrmEncapType,
  XfrmProto,
  XfrmSaExtraFlags,
  XfrmStateFlags,
  XfrmUsersaInfoInput,
} from '../generated/xfrm.js';
import { Protocol } from '../../core/constants.js';
import { xfrmFamily, type XfrmFamilyModule } from './family.js';
import { XFRM_MSG_GETPOLICY, XFRM_MSG_GETSA, XFRMA_REPLAY_ESN_MAX } from '../generated/xfrm.constants.js';
import {
  addressBytes,
  addressFamilyOf,
  addressText,
  checkName,
  familyNumber,
  lifetimeInput,
  markInput,
  policyInput,
  protoNumber,
  securityContextInput,
  selectorInput,
  toPolicy,
  toSelector,
  toState,
  type XfrmLifetimeConfig,
  type XfrmMarkInput,
  type XfrmOutputMark,
  type XfrmReplayState,
  type XfrmPolicy,
  type XfrmPolicyInput,
  type XfrmPolicyKey,
  type XfrmProtocol,
  type XfrmSelector,
  type XfrmSelectorInput,
  type XfrmState,
  type XfrmStateMode,
} from './convert.js';

/** What names an SA: destination, SPI and protocol (and mark / if_id when it has them). */
export interface XfrmStateKey {
  /** Destination address. */
  dst: string;
  /** IPsec protocol. */
  proto: XfrmProtocol;
  /** SPI. */
  spi: number;
  /** Source address (narrows the lookup). */
  src?: string;
  /** Mark. */
  mark?: XfrmMarkInput;
  /** xfrm interface id. */
  ifId?: number;
}

/** An algorithm to give an SA: its name and key (bytes, or hex text as "0x..."). */
export interface XfrmAlgorithmInput {
  /** Crypto API name ('cbc(aes)', 'hmac(sha256)', 'rfc4106(gcm(aes))' ...). */
  name: string;
  /** The key. */
  key: Uint8Array | string;
  /** ICV length (aead) or truncation length (authTrunc), in bits. */
  bits?: number;
}

/** An SA to add or update. */
export interface XfrmStateInput {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** IPsec protocol. */
  proto: XfrmProtocol;
  /** SPI. */
  spi?: number;
  /** Mode (default 'transport'). */
  mode?: XfrmStateMode;
  /** Request id. */
  reqid?: number;
  /** Replay window. */
  replayWindow?: number;
  /** Sequence number (of the acquire it answers). */
  seq?: number;
  /** Flags. */
  flags?: readonly XfrmStateFlags[];
  /** Selector. */
  selector?: XfrmSelectorInput;
  /** Authentication algorithm. */
  auth?: XfrmAlgorithmInput;
  /** Authentication with truncation (bits: truncation length). */
  authTrunc?: XfrmAlgorithmInput;
  /** Encryption. */
  crypt?: XfrmAlgorithmInput;
  /** Compression. */
  comp?: XfrmAlgorithmInput;
  /** AEAD (bits: ICV length). */
  aead?: XfrmAlgorithmInput;
  /** Mark. */
  mark?: XfrmMarkInput;
  /** xfrm interface id. */
  ifId?: number;
  /** Lifetime limits. */
  lifetime?: Partial<XfrmLifetimeConfig>;
  /** TFC padding length. */
  tfcpad?: number;
  /** Security context (an LSM label). */
  securityContext?: string;
  /** Offload to a device: its index, and whether the SA is inbound. */
  offload?: XfrmOffloadInput;
  /** UDP (or TCP) encapsulation for NAT traversal. */
  encap?: XfrmEncapInput;
  /** Care-of address (route2 / hao SAs). */
  coaddr?: string;
  /** Output mark put on packets the SA makes (XFRMA_SET_MARK, XFRMA_SET_MARK_MASK). */
  outputMark?: XfrmOutputMark;
  /** Further flags (XFRMA_SA_EXTRA_FLAGS). */
  extraFlags?: readonly XfrmSaExtraFlags[];
  /** Replay counters of an SA without extended sequence numbers (XFRMA_REPLAY_VAL). */
  replay?: Partial<XfrmReplayState>;
  /** Extended sequence numbers state (XFRMA_REPLAY_ESN_VAL; the bitmap length follows from replayWindow). */
  esn?: XfrmEsnInput;
}

/** An offload to give an SA. */
export interface XfrmOffloadInput {
  /** Interface index of the device. */
  ifindex: number;
  /** The SA is inbound (XFRM_OFFLOAD_INBOUND); default outbound. */
  inbound?: boolean;
}

/** An encapsulation to give an SA. */
export interface XfrmEncapInput {
  /** 'espinudp', 'espinudp-nonike' or 'espintcp'. */
  type: XfrmEncapType;
  /** Source port. */
  sport: number;
  /** Destination port. */
  dport: number;
  /** Original address (default any). */
  oa?: string;
}

/** Extended sequence numbers state to give an SA. */
export interface XfrmEsnInput {
  /** Replay window in packets (at most 4096). */
  replayWindow: number;
  /** Inbound sequence number, low 32 bits. */
  seq?: number;
  /** Outbound sequence number, low 32 bits. */
  oseq?: number;
  /** Inbound sequence number, high 32 bits. */
  seqHi?: number;
  /** Outbound sequence number, high 32 bits. */
  oseqHi?: number;
}

/** An SPI to reserve (XFRM_MSG_ALLOCSPI): a larval SA the key manager completes later. */
export interface XfrmAllocSpiInput {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** IPsec protocol. */
  proto: XfrmProtocol;
  /** Mode. */
  mode?: XfrmStateMode;
  /** Request id. */
  reqid?: number;
  /** Sequence number of the acquire this answers. */
  seq?: number;
  /** Lowest SPI (default 0x100). */
  min?: number;
  /** Highest SPI (default 0x0fffffff). */
  max?: number;
  /** Mark. */
  mark?: XfrmMarkInput;
  /** xfrm interface id. */
  ifId?: number;
}

/** Filters of {@link XfrmClient.states}. */
export interface XfrmStateFilter {
  /** Only this protocol (sent to the kernel as XFRMA_PROTO). */
  proto?: XfrmProtocol;
  /** Only SAs whose source is in this prefix (sent as XFRMA_ADDRESS_FILTER). */
  src?: string;
  /** Only SAs whose destination is in this prefix. */
  dst?: string;
}

/** Default actions for traffic no policy matches. */
export interface XfrmPolicyDefaults {
  /** Inbound. */
  in: 'block' | 'accept' | 'unspec' | number;
  /** Forwarded. */
  fwd: 'block' | 'accept' | 'unspec' | number;
  /** Outbound. */
  out: 'block' | 'accept' | 'unspec' | number;
}

/** SAD counters (XFRM_MSG_GETSADINFO). */
export interface XfrmSadInfo {
  /** SAs. */
  count: number;
  /** Hash buckets in use. */
  buckets: number;
  /** Hash buckets allowed. */
  maxBuckets: number;
}

/** Prefix lengths from which policies are hashed (struct xfrmu_spdhthresh). */
export interface XfrmHashThreshold {
  /** Local prefix length. */
  local: number;
  /** Remote prefix length. */
  remote: number;
}

/** A message decoded by its type: the spec's operation name and the generated codec's object. */
export interface XfrmDecodedMessage {
  /** Operation name ('newsa-ntf', 'getsa' ...). */
  name: string;
  /** Header fields and attributes. */
  msg: Obj;
}

/** SPD counters (XFRM_MSG_GETSPDINFO). */
export interface XfrmSpdInfo {
  /** Policies by direction: in, out, fwd. */
  in: number;
  /** Outbound policies. */
  out: number;
  /** Forward policies. */
  fwd: number;
  /** Socket policies by direction. */
  socketIn: number;
  /** Outbound socket policies. */
  socketOut: number;
  /** Forward socket policies. */
  socketFwd: number;
  /** Hash buckets in use. */
  buckets: number;
  /** Hash buckets allowed. */
  maxBuckets: number;
  /** Prefix lengths from which IPv4 policies are hashed. */
  ipv4Threshold?: XfrmHashThreshold;
  /** Prefix lengths from which IPv6 policies are hashed. */
  ipv6Threshold?: XfrmHashThreshold;
}

/** An acquire: the kernel asks for an SA that a packet needs. */
export interface XfrmAcquire {
  /** Protocol of the SA asked for. */
  proto: XfrmProtocol;
  /** Destination of the SA. */
  dst: string;
  /** Source of the SA. */
  src: string;
  /** SPI (0: any). */
  spi: number;
  /** The packet's flow. */
  selector: XfrmSelector;
  /** The policy that asked. */
  policy: XfrmPolicy;
  /** Sequence number to answer with. */
  seq: number;
  /** Allowed algorithm masks. */
  aalgos: number;
  /** Allowed encryption algorithms. */
  ealgos: number;
  /** Allowed compression algorithms. */
  calgos: number;
}

/** An xfrm event (the kernel's notifications on the xfrm groups). */
export type XfrmEvent =
  | {
      /** An SA was added, changed or deleted. */
      type: 'newsa' | 'updsa' | 'delsa';
      /** The SA. */
      state: XfrmState;
    }
  | {
      /** An SA reached a limit. */
      type: 'expire';
      /** The SA. */
      state: XfrmState;
      /** Hard (deleted) or soft. */
      hard: boolean;
    }
  | {
      /** A policy was added, changed or deleted. */
      type: 'newpolicy' | 'updpolicy' | 'delpolicy';
      /** The policy. */
      policy: XfrmPolicy;
    }
  | {
      /** A policy reached a limit. */
      type: 'polexpire';
      /** The policy. */
      policy: XfrmPolicy;
      /** Hard or soft. */
      hard: boolean;
    }
  | {
      /** The kernel needs an SA. */
      type: 'acquire';
      /** What it needs. */
      acquire: XfrmAcquire;
    }
  | {
      /** SAs of a protocol were flushed. */
      type: 'flushsa';
      /** The protocol (0 or 'ipsec-any': all). */
      proto: XfrmProtocol;
    }
  | {
      /** Policies were flushed. */
      type: 'flushpolicy';
      /** The table, when given. */
      policyType?: string | number;
    }
  | {
      /** A protocol reports on some traffic. */
      type: 'report';
      /** The protocol. */
      proto: XfrmProtocol;
      /** The traffic. */
      selector: XfrmSelector;
      /** Care-of address, when given. */
      coaddr?: string;
    }
  | {
      /** Another message (newae, migrate, mapping; a delsa / delpolicy without the deleted object ...). */
      type: 'other';
      /** The spec's name of its message type without '-ntf' ('newae', 'mapping', 'getsa' ...); '' for a type the spec does not know. */
      name: string;
      /** The message as the generated codec decodes it. */
      message: Obj;
    };

/** Event groups of {@link XfrmClient.monitor} (XFRMNLGRP_*). */
export type XfrmGroup = 'acquire' | 'expire' | 'sa' | 'policy' | 'aevents' | 'report' | 'migrate' | 'mapping';

/** Options of {@link XfrmClient.monitor}. */
export interface XfrmMonitorOptions extends SubscribeOptions {
  /** Groups to join (default acquire, expire, sa, policy, aevents, report: what `ip xfrm monitor` joins). */
  groups?: readonly XfrmGroup[];
  /** What to do with a message that fails to decode (default: end the stream with the error). */
  onMalformed?: MalformedHandler<MessageView>;
}

/** Options of {@link XfrmClient.open}. */
export type XfrmClientOptions = OpenOptions;

const DEFAULT_GROUPS: readonly XfrmGroup[] = ['acquire', 'expire', 'sa', 'policy', 'aevents', 'report'];

// Fixed headers a typed event needs whole (ip's printers refuse shorter
// messages too: "BUG: wrong nlmsg len").
const EVENT_HEADERS: Record<string, string> = {
  newsa: 'xfrm-usersa-info',
  updsa: 'xfrm-usersa-info',
  delsa: 'xfrm-usersa-id',
  expire: 'xfrm-user-expire',
  newpolicy: 'xfrm-userpolicy-info',
  updpolicy: 'xfrm-userpolicy-info',
  delpolicy: 'xfrm-userpolicy-id',
  polexpire: 'xfrm-user-polexpire',
  acquire: 'xfrm-user-acquire',
  flushsa: 'xfrm-usersa-flush',
  report: 'xfrm-user-report',
};

function needWhole(m: MessageView, name: string): void {
  const struct = EVENT_HEADERS[name];
  if (struct === undefined) return;
  const size = xfrmFamily.get().structs.get(struct)!.size;
  if (m.length < 16 + size)
    throw new NetlinkDecodeError(`${name} message of ${m.length} bytes is shorter than its header (struct ${struct.replace(/-/g, '_')}, ${size} bytes)`, m.offset, 'xfrm');
}

function needWholeAttribute(m: MessageView, value: { __rest?: unknown } | undefined, last: unknown, what: string): void {
  if (value !== undefined && last === undefined) throw new NetlinkDecodeError(`${what} is shorter than its struct`, m.offset, 'xfrm');
}

// Message types the kernel sends (the spec's event operations and named
// replies) and the requests user space sends, by nlmsg_type: built on first
// use, once the family is loaded.
let messageTypes: { replies: ReadonlySet<number>; requests: ReadonlySet<number> } | undefined;
function typesOf(family: XfrmFamilyModule): { replies: ReadonlySet<number>; requests: ReadonlySet<number> } {
  messageTypes ??= {
    replies: new Set(family.spec.operations.map((o) => o.replyValue).filter((v): v is number => v !== undefined)),
    requests: new Set(family.spec.operations.map((o) => o.requestValue).filter((v): v is number => v !== undefined)),
  };
  return messageTypes;
}

/**
 * Decodes an xfrm message by its type: the kernel's messages by the spec's
 * event operations (names ending in -ntf) and named replies, requests (read
 * from a capture, or sent by a key manager) by their request operation;
 * undefined for a type the spec does not know. Needs the family loaded
 * ({@link loadXfrmFamily}, or an open XfrmClient).
 */
export function decodeXfrmMessage(m: MessageView): XfrmDecodedMessage | undefined {
  const family = xfrmFamily.get();
  const types = typesOf(family);
  if (types.replies.has(m.type)) return family.decode(m) as unknown as XfrmDecodedMessage;
  if (types.requests.has(m.type)) return family.decodeRequest(m) as unknown as XfrmDecodedMessage;
  return undefined;
}

/**
 * Decodes one xfrm message by its type into an event (types that are no SA,
 * policy, acquire, flush or report come as { type: 'other', name, message }).
 * Needs the family loaded ({@link loadXfrmFamily}, or an open XfrmClient).
 */
export function decodeXfrmEvent(m: MessageView): XfrmEvent | undefined {
  const decoded = decodeXfrmMessage(m);
  if (!decoded) return { type: 'other', name: '', message: {} };
  const name = decoded.name.replace(/-ntf$/, '');
  const msg = decoded.msg;
  needWhole(m, name);
  const a = msg as Obj & Partial<XfrmAttrs>;
  needWholeAttribute(m, a.sa, a.sa?.flags, 'XFRMA_SA');
  needWholeAttribute(m, a.policy, a.policy?.share, 'XFRMA_POLICY');
  switch (name) {
    case 'newsa':
    case 'updsa':
      return { type: name, state: toState(a as never, a) };
    case 'delsa':
      if (!a.sa) return { type: 'other', name, message: msg as unknown as Obj };
      return { type: 'delsa', state: toState(a.sa, a) };
    case 'expire': {
      const e = a as unknown as { state: never; hard: number };
      return { type: 'expire', state: toState(e.state, a), hard: e.hard !== 0 };
    }
    case 'newpolicy':
    case 'updpolicy':
      return { type: name, policy: toPolicy(a as never, a) };
    case 'delpolicy':
      if (!a.policy) return { type: 'other', name, message: msg as unknown as Obj };
      return { type: 'delpolicy', policy: toPolicy(a.policy, a) };
    case 'polexpire': {
      const e = a as unknown as { pol: never; hard: number };
      return { type: 'polexpire', policy: toPolicy(e.pol, a), hard: e.hard !== 0 };
    }
    case 'acquire':
      return { type: 'acquire', acquire: toAcquire(msg) };
    case 'flushsa':
      return { type: 'flushsa', proto: (msg as { proto?: XfrmProto | number }).proto ?? 0 };
    case 'flushpolicy':
      return a['policy-type'] ? { type: 'flushpolicy', policyType: a['policy-type'].type ?? 0 } : { type: 'flushpolicy' };
    case 'report': {
      const r = msg as { proto?: XfrmProto | number; sel?: never; coaddr?: Uint8Array };
      const selector = toSelector(r.sel);
      const out: XfrmEvent = { type: 'report', proto: r.proto ?? 0, selector };
      if (r.coaddr) out.coaddr = addressText(r.coaddr, selector.family);
      return out;
    }
    default:
      return { type: 'other', name, message: msg };
  }
}

function toAcquire(msg: Obj): XfrmAcquire {
  const m = msg as unknown as {
    id?: { daddr?: Uint8Array; spi?: number; proto?: XfrmProto | number };
    saddr?: Uint8Array;
    sel?: never;
    policy?: never;
    seq?: number;
    aalgos?: number;
    ealgos?: number;
    calgos?: number;
  } & Partial<XfrmAttrs>;
  const selector = toSelector(m.sel);
  const policy = toPolicy(m.policy ?? ({} as never), m);
  const family = selector.family !== 'unspec' ? selector.family : policy.selector.family;
  return {
    proto: m.id?.proto ?? 0,
    dst: addressText(m.id?.daddr, family),
    src: addressText(m.saddr, family),
    spi: m.id?.spi ?? 0,
    selector,
    policy,
    seq: m.seq ?? 0,
    aalgos: m.aalgos ?? 0,
    ealgos: m.ealgos ?? 0,
    calgos: m.calgos ?? 0,
  };
}

/** Events of {@link XfrmClient.monitor}, overruns in-band. */
export class XfrmEvents extends DecodedSubscription<MessageView, XfrmEvent> {
  /** Decodes one message (undefined: skip it). */
  protected decode(m: MessageView): XfrmEvent | undefined {
    return decodeXfrmEvent(m);
  }
}

function hexKey(k: Uint8Array | string, field: string): Uint8Array {
  if (k instanceof Uint8Array) return k;
  if (typeof k !== 'string') throw new TypeError(`${field}: expected bytes or "0x..." hex text, got ${describe(k)}`);
  const hex = k.startsWith('0x') ? k.slice(2) : k;
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`${field}: ${describe(k)} is not hex bytes`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function algorithmInput(a: XfrmAlgorithmInput, field: string, bitsName?: 'alg-trunc-len' | 'alg-icv-len'): Obj {
  if (a === null || typeof a !== 'object') throw new TypeError(`${field}: expected an object { name, key }, got ${describe(a)}`);
  if (typeof a.name !== 'string' || a.name === '') throw new TypeError(`${field}.name: expected an algorithm name, got ${describe(a.name)}`);
  const key = hexKey(a.key, `${field}.key`);
  const out: Obj = { 'alg-name': a.name, 'alg-key-len': key.length * 8, __rest: key };
  if (bitsName) {
    if (a.bits === undefined) throw new TypeError(`${field}.bits: required (${bitsName === 'alg-icv-len' ? 'ICV' : 'truncation'} length in bits)`);
    out[bitsName] = checkU32(a.bits, `${field}.bits`);
  }
  return out;
}

function stateInput(s: XfrmStateInput, field: string): XfrmUsersaInfoInput & XfrmAttrsInput {
  if (s === null || typeof s !== 'object') throw new TypeError(`${field}: expected an object { src, dst, proto, spi, ... }, got ${describe(s)}`);
  const family = addressFamilyOf(s.src, `${field}.src`);
  if (addressFamilyOf(s.dst, `${field}.dst`) !== family) throw new RangeError(`${field}.dst: ${describe(s.dst)} is not an ${family} address`);
  const sel = selectorInput(s.selector, `${field}.selector`);
  const out: XfrmUsersaInfoInput & XfrmAttrsInput = {
    sel: sel.raw,
    id: { daddr: addressBytes(s.dst, `${field}.dst`), proto: protoNumber(s.proto, `${field}.proto`), spi: s.spi === undefined ? 0 : checkU32(s.spi, `${field}.spi`) },
    saddr: addressBytes(s.src, `${field}.src`),
    lft: lifetimeInput(s.lifetime, `${field}.lifetime`),
    family: familyNumber(family),
  };
  if (s.mode !== undefined) out.mode = checkName<XfrmMode>(s.mode, `${field}.mode`, 'xfrm-mode');
  if (s.reqid !== undefined) out.reqid = checkU32(s.reqid, `${field}.reqid`);
  if (s.seq !== undefined) out.seq = checkU32(s.seq, `${field}.seq`);
  if (s.replayWindow !== undefined) out['replay-window'] = checkInteger(s.replayWindow, `${field}.replayWindow`, 0, 255);
  if (s.flags !== undefined) {
    if (!Array.isArray(s.flags)) throw new TypeError(`${field}.flags: expected an array of flag names, got ${describe(s.flags)}`);
    out.flags = s.flags.map((f, i) => checkName<XfrmStateFlags>(f, `${field}.flags[${i}]`, 'xfrm-state-flags'));
  }
  if (s.auth) out['alg-auth'] = algorithmInput(s.auth, `${field}.auth`) as never;
  if (s.authTrunc) out['alg-auth-trunc'] = algorithmInput(s.authTrunc, `${field}.authTrunc`, 'alg-trunc-len') as never;
  if (s.aead) out['alg-aead'] = algorithmInput(s.aead, `${field}.aead`, 'alg-icv-len') as never;
  if (s.crypt) out['alg-crypt'] = algorithmInput(s.crypt, `${field}.crypt`) as never;
  if (s.comp) out['alg-comp'] = algorithmInput(s.comp, `${field}.comp`) as never;
  const mark = markInput(s.mark, `${field}.mark`);
  if (mark) out.mark = mark;
  if (s.ifId !== undefined) out['if-id'] = checkU32(s.ifId, `${field}.ifId`);
  if (s.tfcpad !== undefined) out.tfcpad = checkU32(s.tfcpad, `${field}.tfcpad`);
  if (s.encap !== undefined) {
    const e = s.encap;
    if (e === null || typeof e !== 'object') throw new TypeError(`${field}.encap: expected an object { type, sport, dport, oa? }, got ${describe(e)}`);
    out.encap = {
      'encap-type': checkName<XfrmEncapType>(e.type, `${field}.encap.type`, 'xfrm-encap-type'),
      'encap-sport': checkInteger(e.sport, `${field}.encap.sport`, 0, 0xffff),
      'encap-dport': checkInteger(e.dport, `${field}.encap.dport`, 0, 0xffff),
      ...(e.oa !== undefined ? { 'encap-oa': addressBytes(e.oa, `${field}.encap.oa`) } : {}),
    };
  }
  if (s.coaddr !== undefined) out.coaddr = addressBytes(s.coaddr, `${field}.coaddr`);
  if (s.securityContext !== undefined) out['sec-ctx'] = securityContextInput(s.securityContext, `${field}.securityContext`);
  if (s.offload !== undefined) {
    const o = s.offload;
    if (o === null || typeof o !== 'object') throw new TypeError(`${field}.offload: expected an object { ifindex, inbound? }, got ${describe(o)}`);
    out['offload-dev'] = { ifindex: checkInteger(o.ifindex, `${field}.offload.ifindex`, 0, 0x7fffffff), flags: o.inbound ? ['inbound'] : [] };
  }
  if (s.outputMark !== undefined) {
    const m = s.outputMark;
    if (m === null || typeof m !== 'object') throw new TypeError(`${field}.outputMark: expected an object { value, mask? }, got ${describe(m)}`);
    out['set-mark'] = checkU32(m.value, `${field}.outputMark.value`);
    if (m.mask !== undefined) out['set-mark-mask'] = checkU32(m.mask, `${field}.outputMark.mask`);
  }
  if (s.extraFlags !== undefined) {
    if (!Array.isArray(s.extraFlags)) throw new TypeError(`${field}.extraFlags: expected an array of flag names, got ${describe(s.extraFlags)}`);
    out['sa-extra-flags'] = s.extraFlags.map((f, i) => checkName<XfrmSaExtraFlags>(f, `${field}.extraFlags[${i}]`, 'xfrm-sa-extra-flags'));
  }
  if (s.replay !== undefined) {
    const r = s.replay;
    if (r === null || typeof r !== 'object') throw new TypeError(`${field}.replay: expected an object { seq?, oseq?, bitmap? }, got ${describe(r)}`);
    out['replay-val'] = {
      seq: checkU32(r.seq ?? 0, `${field}.replay.seq`),
      oseq: checkU32(r.oseq ?? 0, `${field}.replay.oseq`),
      bitmap: checkU32(r.bitmap ?? 0, `${field}.replay.bitmap`),
    };
  }
  if (s.esn !== undefined) {
    const e = s.esn;
    if (e === null || typeof e !== 'object') throw new TypeError(`${field}.esn: expected an object { replayWindow, ... }, got ${describe(e)}`);
    const window = checkInteger(e.replayWindow, `${field}.esn.replayWindow`, 1, XFRMA_REPLAY_ESN_MAX);
    // The kernel takes the struct alone for a new SA (verify_replay()): the bitmap starts zeroed.
    out['replay-esn-val'] = {
      'bmp-len': Math.ceil(window / 32),
      seq: checkU32(e.seq ?? 0, `${field}.esn.seq`),
      oseq: checkU32(e.oseq ?? 0, `${field}.esn.oseq`),
      'seq-hi': checkU32(e.seqHi ?? 0, `${field}.esn.seqHi`),
      'oseq-hi': checkU32(e.oseqHi ?? 0, `${field}.esn.oseqHi`),
      'replay-window': window,
    };
  }
  return out;
}

function stateKeyInput(k: XfrmStateKey, field: string): Obj {
  if (k === null || typeof k !== 'object') throw new TypeError(`${field}: expected an object { dst, proto, spi }, got ${describe(k)}`);
  const family = addressFamilyOf(k.dst, `${field}.dst`);
  const out: Obj = {
    daddr: addressBytes(k.dst, `${field}.dst`),
    spi: checkU32(k.spi, `${field}.spi`),
    family: familyNumber(family),
    proto: protoNumber(k.proto, `${field}.proto`),
  };
  if (k.src !== undefined) out.srcaddr = addressBytes(k.src, `${field}.src`);
  const mark = markInput(k.mark, `${field}.mark`);
  if (mark) out.mark = mark;
  if (k.ifId !== undefined) out['if-id'] = checkU32(k.ifId, `${field}.ifId`);
  return out;
}

function policyKeyInput(k: XfrmPolicyKey, field: string): Obj {
  if (k === null || typeof k !== 'object') throw new TypeError(`${field}: expected an object { dir, selector | index }, got ${describe(k)}`);
  const out: Obj = {
    sel: selectorInput(k.selector, `${field}.selector`).raw,
    dir: checkName<XfrmPolicyDir>(k.dir, `${field}.dir`, 'xfrm-policy-dir'),
  };
  if (k.index !== undefined) out.index = checkU32(k.index, `${field}.index`);
  if (k.type !== undefined) out['policy-type'] = { type: checkName<XfrmPolicyType>(k.type, `${field}.type`, 'xfrm-policy-type') };
  const mark = markInput(k.mark, `${field}.mark`);
  if (mark) out.mark = mark;
  if (k.ifId !== undefined) out['if-id'] = checkU32(k.ifId, `${field}.ifId`);
  if (k.securityContext !== undefined) out['sec-ctx'] = securityContextInput(k.securityContext, `${field}.securityContext`);
  return out;
}

function decodedState(m: MessageView): XfrmState {
  const { name, msg } = xfrmFamily.get().decode(m);
  if (name !== 'newsa-ntf' && name !== 'updsa-ntf') throw new NetlinkDecodeError(`expected an SA (newsa), got ${name}`, m.offset, 'xfrm');
  return toState(msg as never, msg as Partial<XfrmAttrs>);
}

function decodedPolicy(m: MessageView): XfrmPolicy {
  const { name, msg } = xfrmFamily.get().decode(m);
  if (name !== 'newpolicy-ntf' && name !== 'updpolicy-ntf') throw new NetlinkDecodeError(`expected a policy (newpolicy), got ${name}`, m.offset, 'xfrm');
  return toPolicy(msg as never, msg as Partial<XfrmAttrs>);
}

/**
 * The SAD and SPD of a network namespace.
 *
 * ```ts
 * await using x = await XfrmClient.open({ netns: 'blue' });
 * await x.addPolicy({ dir: 'out', selector: { src: '10.0.0.0/24', dst: '10.0.1.0/24' },
 *   templates: [{ src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', mode: 'tunnel' }] });
 * for await (const p of x.policies()) console.log(p.dir, p.selector.src, p.templates);
 * ```
 */
export class XfrmClient implements AsyncDisposable {
  private readonly writer = new MessageWriter();

  private constructor(
    /** The NETLINK_XFRM socket. */
    readonly socket: NetlinkSocket,
    private readonly family: XfrmFamilyModule,
  ) {}

  /** Opens a NETLINK_XFRM socket (in `netns` when given). */
  static async open(options: XfrmClientOptions = {}): Promise<XfrmClient> {
    const family = await xfrmFamily.load();
    return new XfrmClient(await NetlinkSocket.open(Protocol.XFRM, options), family);
  }

  /** A client on a NETLINK_XFRM socket opened elsewhere (a FakeKernel's, in tests); close() closes it. Resolves once the xfrm family is loaded. */
  static async fromSocket(socket: NetlinkSocket): Promise<XfrmClient> {
    if (!(socket instanceof NetlinkSocket) || socket.protocol !== Protocol.XFRM) throw new TypeError(`socket: expected a NETLINK_XFRM (${Protocol.XFRM}) NetlinkSocket`);
    return new XfrmClient(socket, await xfrmFamily.load());
  }

  private encode(op: string, value: Obj, flags: number): Uint8Array {
    const codec = this.family.ops[op as keyof XfrmFamilyModule['ops']] as unknown as { encodeRequest(w: MessageWriter, v: Obj, o: { flags: number }): void };
    const w = this.writer.reset();
    codec.encodeRequest(w, value, { flags });
    return w.finishCopy();
  }

  private request(op: string, value: Obj, flags: number, options: CallOptions): Promise<MessageView[]> {
    const bytes = this.encode(op, value, flags);
    return this.socket.request(bytes, {
      name: `xfrm ${op}`,
      describe: (extAck, request) => this.family.describeExtAck(request, extAck),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    });
  }

  // GETSA / GETPOLICY dumps carry attributes only, no fixed header (xfrm_dump_sa()).
  private async *dumpOf(type: number, value: Obj, options: CallOptions): AsyncGenerator<MessageView> {
    const w = this.writer.reset();
    w.beginMessage(type, NLM_F_REQUEST | NLM_F_DUMP);
    this.family.sets.get('xfrm-attrs')!.encode(w, value, 'filter');
    w.endMessage();
    yield* this.socket.dump(w.finishCopy(), {
      name: `xfrm dump ${type === XFRM_MSG_GETSA ? 'getsa' : 'getpolicy'}`,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    });
  }

  // ---- states ---------------------------------------------------------------

  /** Streams the SAs; protocol and address prefixes go to the kernel (xfrm_dump_sa()). */
  async *states(filter: XfrmStateFilter = {}, options: CallOptions = {}): AsyncGenerator<XfrmState> {
    if (filter === null || typeof filter !== 'object') throw new TypeError(`filter: expected an object, got ${describe(filter)}`);
    const request: Obj = {};
    if (filter.proto !== undefined) request.proto = protoNumber(filter.proto, 'filter.proto');
    if (filter.src !== undefined || filter.dst !== undefined) {
      const sel = selectorInput({ ...(filter.src !== undefined ? { src: filter.src } : {}), ...(filter.dst !== undefined ? { dst: filter.dst } : {}) }, 'filter').raw;
      request['address-filter'] = { saddr: sel.saddr, daddr: sel.daddr, family: sel.family, splen: sel['prefixlen-s'] ?? 0, dplen: sel['prefixlen-d'] ?? 0 };
    }
    for await (const m of this.dumpOf(XFRM_MSG_GETSA, request, options)) yield decodedState(m);
  }

  /** Every SA, as an array. */
  async statesAll(filter: XfrmStateFilter = {}, options: CallOptions = {}): Promise<XfrmState[]> {
    const out: XfrmState[] = [];
    for await (const s of this.states(filter, options)) out.push(s);
    return out;
  }

  /** The SA with this destination, SPI and protocol, or undefined (ESRCH / ENOENT). */
  async getState(key: XfrmStateKey, options: CallOptions = {}): Promise<XfrmState | undefined> {
    const value = stateKeyInput(key, 'key');
    try {
      const replies = await this.request('getsa', value, NLM_F_REQUEST, options);
      return replies[0] ? decodedState(replies[0]) : undefined;
    } catch (err) {
      if (err instanceof NetlinkError && (err.code === 'ESRCH' || err.code === 'ENOENT')) return undefined;
      throw err;
    }
  }

  /**
   * Adds an SA (XFRM_MSG_NEWSA); EEXIST when it exists. A kernel without
   * the protocol (no esp4 / ah4 / ipcomp module) answers EPROTONOSUPPORT,
   * "Requested type not found". Sent with the flags ip sends: xfrm_add_sa()
   * tells add from update by the message type, not by NLM_F_CREATE / EXCL.
   */
  async addState(input: XfrmStateInput, options: CallOptions = {}): Promise<void> {
    await this.request('newsa', stateInput(input, 'state') as Obj, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Changes an SA or completes a larval one (XFRM_MSG_UPDSA). */
  async updateState(input: XfrmStateInput, options: CallOptions = {}): Promise<void> {
    await this.request('updsa', stateInput(input, 'state') as Obj, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Deletes an SA (ESRCH when there is none). */
  async deleteState(key: XfrmStateKey, options: CallOptions = {}): Promise<void> {
    await this.request('delsa', stateKeyInput(key, 'key'), NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Deletes every SA of a protocol (default 0: every SA; 'ipsec-any': ESP, AH and IPcomp ones). */
  async flushStates(proto: XfrmProtocol = 0, options: CallOptions = {}): Promise<void> {
    await this.request('flushsa', { proto: protoNumber(proto, 'proto') }, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Reserves an SPI in a range: the kernel adds a larval SA with it and returns that SA. */
  async allocSpi(input: XfrmAllocSpiInput, options: CallOptions = {}): Promise<XfrmState> {
    if (input === null || typeof input !== 'object') throw new TypeError(`input: expected an object { src, dst, proto }, got ${describe(input)}`);
    const info = stateInput({ src: input.src, dst: input.dst, proto: input.proto, ...(input.mode ? { mode: input.mode } : {}) }, 'input');
    if (input.reqid !== undefined) info.reqid = checkU32(input.reqid, 'input.reqid');
    if (input.seq !== undefined) info.seq = checkU32(input.seq, 'input.seq');
    // A larval SA has no limits of its own (ip sends them as 0; the kernel gives it XFRM_ACQ_EXPIRES).
    info.lft = {};
    const value: Obj = {
      info,
      min: input.min === undefined ? 0x100 : checkU32(input.min, 'input.min'),
      max: input.max === undefined ? 0x0fffffff : checkU32(input.max, 'input.max'),
    };
    const mark = markInput(input.mark, 'input.mark');
    if (mark) value.mark = mark;
    if (input.ifId !== undefined) value['if-id'] = checkU32(input.ifId, 'input.ifId');
    const replies = await this.request('allocspi', value, NLM_F_REQUEST, options);
    if (!replies[0]) throw new NetlinkDecodeError('allocspi: the kernel acknowledged without the SA', 0, 'xfrm');
    return decodedState(replies[0]);
  }

  /** SAD counters. */
  async sadInfo(options: CallOptions = {}): Promise<XfrmSadInfo> {
    const [m] = await this.request('getsadinfo', { flags: 0xffffffff }, NLM_F_REQUEST, options);
    const msg = m ? (this.family.decode(m).msg as { cnt?: number; hinfo?: { sadhcnt?: number; sadhmcnt?: number } }) : {};
    return { count: msg.cnt ?? 0, buckets: msg.hinfo?.sadhcnt ?? 0, maxBuckets: msg.hinfo?.sadhmcnt ?? 0 };
  }

  // ---- policies ---------------------------------------------------------------

  /** Streams the policies (main and sub tables, socket policies included). */
  async *policies(options: CallOptions = {}): AsyncGenerator<XfrmPolicy> {
    for await (const m of this.dumpOf(XFRM_MSG_GETPOLICY, {}, options)) yield decodedPolicy(m);
  }

  /** Every policy, as an array. */
  async policiesAll(options: CallOptions = {}): Promise<XfrmPolicy[]> {
    const out: XfrmPolicy[] = [];
    for await (const p of this.policies(options)) out.push(p);
    return out;
  }

  /** The policy with this selector and direction (or index), or undefined. */
  async getPolicy(key: XfrmPolicyKey, options: CallOptions = {}): Promise<XfrmPolicy | undefined> {
    const value = policyKeyInput(key, 'key');
    try {
      const replies = await this.request('getpolicy', value, NLM_F_REQUEST, options);
      return replies[0] ? decodedPolicy(replies[0]) : undefined;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Adds a policy (XFRM_MSG_NEWPOLICY); EEXIST when one with this selector and direction exists (xfrm_add_policy() decides by the type). */
  async addPolicy(input: XfrmPolicyInput, options: CallOptions = {}): Promise<void> {
    await this.request('newpolicy', policyInput(input, 'policy') as Obj, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Adds or replaces a policy (XFRM_MSG_UPDPOLICY). */
  async updatePolicy(input: XfrmPolicyInput, options: CallOptions = {}): Promise<void> {
    await this.request('updpolicy', policyInput(input, 'policy') as Obj, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Deletes a policy (ENOENT when there is none). */
  async deletePolicy(key: XfrmPolicyKey, options: CallOptions = {}): Promise<void> {
    await this.request('delpolicy', policyKeyInput(key, 'key'), NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** Deletes every policy of a table (default the main one). */
  async flushPolicies(type?: 'main' | 'sub', options: CallOptions = {}): Promise<void> {
    const value: Obj = {};
    if (type !== undefined) value['policy-type'] = { type: checkName<XfrmPolicyType>(type, 'type', 'xfrm-policy-type') };
    await this.request('flushpolicy', value, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** The default actions (XFRM_MSG_GETDEFAULT). */
  async policyDefaults(options: CallOptions = {}): Promise<XfrmPolicyDefaults> {
    const [m] = await this.request('getdefault', {}, NLM_F_REQUEST, options);
    const msg = (m ? this.family.decode(m).msg : {}) as Partial<XfrmPolicyDefaults>;
    return { in: msg.in ?? 0, fwd: msg.fwd ?? 0, out: msg.out ?? 0 };
  }

  /** Sets default actions; directions left out stay as they are. */
  async setPolicyDefaults(defaults: Partial<Record<'in' | 'fwd' | 'out', 'block' | 'accept'>>, options: CallOptions = {}): Promise<void> {
    if (defaults === null || typeof defaults !== 'object') throw new TypeError(`defaults: expected an object { in?, fwd?, out? }, got ${describe(defaults)}`);
    const value: Obj = {};
    for (const k of ['in', 'fwd', 'out'] as const) {
      const v = defaults[k];
      if (v === undefined) continue;
      if (v !== 'block' && v !== 'accept') throw new RangeError(`defaults.${k}: expected 'block' or 'accept', got ${describe(v)}`);
      value[k] = v;
    }
    await this.request('setdefault', value, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  /** SPD counters and hash thresholds. */
  async spdInfo(options: CallOptions = {}): Promise<XfrmSpdInfo> {
    const [m] = await this.request('getspdinfo', { flags: 0xffffffff }, NLM_F_REQUEST, options);
    type Raw = {
      info?: { incnt?: number; outcnt?: number; fwdcnt?: number; inscnt?: number; outscnt?: number; fwdscnt?: number };
      hinfo?: { spdhcnt?: number; spdhmcnt?: number };
      'ipv4-hthresh'?: { lbits?: number; rbits?: number };
      'ipv6-hthresh'?: { lbits?: number; rbits?: number };
    };
    const msg = (m ? this.family.decode(m).msg : {}) as Raw;
    const out: XfrmSpdInfo = {
      in: msg.info?.incnt ?? 0,
      out: msg.info?.outcnt ?? 0,
      fwd: msg.info?.fwdcnt ?? 0,
      socketIn: msg.info?.inscnt ?? 0,
      socketOut: msg.info?.outscnt ?? 0,
      socketFwd: msg.info?.fwdscnt ?? 0,
      buckets: msg.hinfo?.spdhcnt ?? 0,
      maxBuckets: msg.hinfo?.spdhmcnt ?? 0,
    };
    if (msg['ipv4-hthresh']) out.ipv4Threshold = { local: msg['ipv4-hthresh'].lbits ?? 0, remote: msg['ipv4-hthresh'].rbits ?? 0 };
    if (msg['ipv6-hthresh']) out.ipv6Threshold = { local: msg['ipv6-hthresh'].lbits ?? 0, remote: msg['ipv6-hthresh'].rbits ?? 0 };
    return out;
  }

  /** Sets the prefix lengths from which policies are hashed (XFRM_MSG_NEWSPDINFO); families left out stay as they are. */
  async setSpdInfo(thresholds: { ipv4Threshold?: XfrmHashThreshold; ipv6Threshold?: XfrmHashThreshold }, options: CallOptions = {}): Promise<void> {
    if (thresholds === null || typeof thresholds !== 'object')
      throw new TypeError(`thresholds: expected an object { ipv4Threshold?, ipv6Threshold? }, got ${describe(thresholds)}`);
    const value: Obj = { flags: 0xffffffff };
    for (const [key, attr, max] of [
      ['ipv4Threshold', 'ipv4-hthresh', 32],
      ['ipv6Threshold', 'ipv6-hthresh', 128],
    ] as const) {
      const t = thresholds[key];
      if (t === undefined) continue;
      if (t === null || typeof t !== 'object') throw new TypeError(`thresholds.${key}: expected an object { local, remote }, got ${describe(t)}`);
      value[attr] = { lbits: checkInteger(t.local, `thresholds.${key}.local`, 0, max), rbits: checkInteger(t.remote, `thresholds.${key}.remote`, 0, max) };
    }
    await this.request('newspdinfo', value, NLM_F_REQUEST | NLM_F_ACK, options);
  }

  // ---- events -----------------------------------------------------------------

  /**
   * Joins xfrm groups and yields typed events (acquire, expire, SA and policy
   * changes, flushes, reports), with overruns in-band as `{ overrun: true }`.
   */
  monitor(options: XfrmMonitorOptions = {}): XfrmEvents {
    const names = options.groups ?? DEFAULT_GROUPS;
    if (!Array.isArray(names) || names.length === 0) throw new TypeError('groups: expected a non-empty array of group names');
    const numbers = names.map((n, i) => {
      // The spec names the groups as the kernel does (XFRMNLGRP_ACQUIRE is xfrmnlgrp-acquire).
      const g = this.family.spec.mcastGroups.find((x) => x.name === `xfrmnlgrp-${String(n)}`);
      if (g?.value === undefined) {
        throw new RangeError(`groups[${i}]: unknown xfrm group ${describe(n)} (groups: ${this.family.spec.mcastGroups.map((x) => x.name.replace(/^xfrmnlgrp-/, '')).join(', ')})`);
      }
      return g.value;
    });
    const { groups: _g, onMalformed, ...subOptions } = options;
    return new XfrmEvents(this.socket.subscribe(numbers, subOptions), onMalformed);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }

  /** Closes the client, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
