// Conversions between the generated xfrm codec's objects (kernel struct
// fields, addresses as 16-byte xfrm_address_t) and the typed objects of the
// client (camelCase, addresses as text, u64 as bigint). Struct layouts and
// names come from specs/xfrm.yaml through the generated module.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../core/address.js';
import { checkBigInteger, checkInteger, checkU32, describe } from '../../core/check.js';
import { AF_INET, AF_INET6 } from '../../core/constants.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import { XFRM_POLICY_DIR_NAMES, XFRM_POLICY_FWD, XFRM_SC_ALG_SELINUX, XFRM_SC_DOI_LSM, XFRMA_SEC_CTX } from '../generated/xfrm.constants.js';
import type {
  XfrmAttrs,
  XfrmAttrsInput,
  XfrmLifetimeCfg,
  XfrmLifetimeCfgInput,
  XfrmLifetimeCur,
  XfrmMode,
  XfrmPolicyAction,
  XfrmPolicyDir,
  XfrmPolicyFlags,
  XfrmPolicyType,
  XfrmProto,
  XfrmSelector as RawSelector,
  XfrmSelectorInput as RawSelectorInput,
  XfrmShare,
  XfrmStateFlags,
  XfrmUserpolicyInfo,
  XfrmUserpolicyInfoInput,
  XfrmUsersaInfo,
  XfrmUserTmpl,
  XfrmUserTmplInput,
} from '../generated/xfrm.js';
import { xfrmFamily } from './family.js';

/** Address families of xfrm objects (AF_INET / AF_INET6); 'unspec' where none is set. */
export type XfrmAddressFamily = 'ipv4' | 'ipv6' | 'unspec';

/** IPsec protocols of an SA or template, as the spec names them ('esp', 'ah', 'comp' ...), or a number. */
export type XfrmProtocol = XfrmProto | number;

/** Modes of an SA or template ('transport', 'tunnel', 'ro', 'in-trigger', 'beet', 'iptfs'). */
export type XfrmStateMode = XfrmMode;

/** The family of a struct's family field. */
export function familyName(n: number | undefined): XfrmAddressFamily {
  return n === AF_INET ? 'ipv4' : n === AF_INET6 ? 'ipv6' : 'unspec';
}

/** The AF_* number of a family name. */
export function familyNumber(f: XfrmAddressFamily): number {
  return f === 'ipv4' ? AF_INET : f === 'ipv6' ? AF_INET6 : 0;
}

/** Text of an xfrm_address_t in a family (IPv6 for an unknown family, as iproute2's rt_addr_n2a gives AF_INET6 its text). */
export function addressText(bytes: Uint8Array | undefined, family: XfrmAddressFamily): string {
  if (!bytes || bytes.length < 16) return family === 'ipv6' ? '::' : '0.0.0.0';
  return family === 'ipv6' ? formatIPv6(bytes) : formatIPv4(bytes);
}

/** The family an address text belongs to. */
export function addressFamilyOf(text: unknown, field: string): 'ipv4' | 'ipv6' {
  if (typeof text !== 'string') throw new TypeError(`${field}: expected an address, got ${describe(text)}`);
  return text.includes(':') ? 'ipv6' : 'ipv4';
}

/** An xfrm_address_t from text. */
export function addressBytes(text: string, field: string): Uint8Array {
  const out = new Uint8Array(16);
  out.set(addressFamilyOf(text, field) === 'ipv6' ? parseIPv6(text, field) : parseIPv4(text, field));
  return out;
}

/** "address/prefix" split; the prefix defaults to the address's full length. */
export function parsePrefix(text: unknown, field: string): XfrmPrefix {
  if (typeof text !== 'string') throw new TypeError(`${field}: expected "address[/prefix]", got ${describe(text)}`);
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = addressFamilyOf(addr, field);
  const max = family === 'ipv6' ? 128 : 32;
  let length = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d+$/.test(p)) throw new RangeError(`${field}: prefix length ${describe(p)} is not a number`);
    length = checkInteger(Number(p), `${field}.prefix`, 0, max);
  }
  return { family, bytes: addressBytes(addr, field), length };
}

// ---- typed objects -----------------------------------------------------------

/** The traffic a policy or SA applies to. */
export interface XfrmSelector {
  /** Address family ('unspec' for a selector that matches any). */
  family: XfrmAddressFamily;
  /** Source prefix as "address/length". */
  src: string;
  /** Destination prefix as "address/length". */
  dst: string;
  /** Upper-layer protocol number (0: any). */
  proto: number;
  /** Source port (ICMP type for ICMP) in host order. */
  sport: number;
  /** Mask of sport (0: any). */
  sportMask: number;
  /** Destination port (ICMP code for ICMP). */
  dport: number;
  /** Mask of dport. */
  dportMask: number;
  /** Interface index (0: any). */
  ifindex: number;
  /** User id the selector applies to. */
  user: number;
}

/** A selector to write; missing fields match any. */
export interface XfrmSelectorInput {
  /** Source prefix "address[/length]". */
  src?: string;
  /** Destination prefix "address[/length]". */
  dst?: string;
  /** Family when no address is given. */
  family?: XfrmAddressFamily;
  /** Upper-layer protocol number. */
  proto?: number;
  /** Source port (or ICMP type). */
  sport?: number;
  /** Mask of sport (default 0xffff when sport is given). */
  sportMask?: number;
  /** Destination port (or ICMP code). */
  dport?: number;
  /** Mask of dport (default 0xffff when dport is given). */
  dportMask?: number;
  /** Interface index. */
  ifindex?: number;
  /** User id. */
  user?: number;
}

/** Lifetime limits (XFRM_INF, 2^64-1, is no limit). */
export interface XfrmLifetimeConfig {
  /** Soft byte limit. */
  softByteLimit: bigint;
  /** Hard byte limit. */
  hardByteLimit: bigint;
  /** Soft packet limit. */
  softPacketLimit: bigint;
  /** Hard packet limit. */
  hardPacketLimit: bigint;
  /** Soft limit in seconds since added. */
  softAddExpiresSeconds: bigint;
  /** Hard limit in seconds since added. */
  hardAddExpiresSeconds: bigint;
  /** Soft limit in seconds since first used. */
  softUseExpiresSeconds: bigint;
  /** Hard limit in seconds since first used. */
  hardUseExpiresSeconds: bigint;
}

/** Use so far. */
export interface XfrmLifetimeCurrent {
  /** Bytes processed. */
  bytes: bigint;
  /** Packets processed. */
  packets: bigint;
  /** When added (seconds since the epoch). */
  addTime: bigint;
  /** When first used (0: never). */
  useTime: bigint;
}

/** XFRM_INF: no limit. */
export const XFRM_INF = 0xffffffffffffffffn;

/** A mark and its mask. */
export interface XfrmMark {
  /** The value. */
  value: number;
  /** The mask (default 0xffffffff on input). */
  mask: number;
}

/** A mark to write. */
export interface XfrmMarkInput {
  /** The value. */
  value: number;
  /** The mask (default 0xffffffff). */
  mask?: number;
}

/** An output mark (XFRMA_SET_MARK) and its mask (XFRMA_SET_MARK_MASK), when the SA has one. */
export interface XfrmOutputMark {
  /** The mark. */
  value: number;
  /** Its mask. */
  mask?: number;
}

/** Replay state of an SA without extended sequence numbers (XFRMA_REPLAY_VAL). */
export interface XfrmReplayState {
  /** Outbound sequence number. */
  oseq: number;
  /** Inbound sequence number. */
  seq: number;
  /** Replay bitmap. */
  bitmap: number;
}

/** Replay state with extended sequence numbers (XFRMA_REPLAY_ESN_VAL). */
export interface XfrmReplayEsn {
  /** Outbound sequence number, low 32 bits. */
  oseq: number;
  /** Inbound sequence number, low 32 bits. */
  seq: number;
  /** Outbound sequence number, high 32 bits. */
  oseqHi: number;
  /** Inbound sequence number, high 32 bits. */
  seqHi: number;
  /** Replay window in packets. */
  replayWindow: number;
  /** Bitmap length in 32-bit words, as the struct says. */
  bmpLen: number;
  /** The bitmap words the attribute holds. */
  bitmap: number[];
}

/** Error counters of an SA. */
export interface XfrmStats {
  /** Packets outside the replay window. */
  replayWindow: number;
  /** Replayed packets. */
  replay: number;
  /** Packets that failed integrity checks. */
  integrityFailed: number;
}

/** An address prefix read from text. */
export interface XfrmPrefix {
  /** Its family. */
  family: 'ipv4' | 'ipv6';
  /** The address as an xfrm_address_t (16 bytes). */
  bytes: Uint8Array;
  /** The prefix length. */
  length: number;
}

/** A template of a policy: the SA traffic must go through. */
export interface XfrmTemplate {
  /** Family of the addresses. */
  family: XfrmAddressFamily;
  /** Tunnel source ('0.0.0.0' / '::' in transport mode). */
  src: string;
  /** Tunnel destination. */
  dst: string;
  /** IPsec protocol. */
  proto: XfrmProtocol;
  /** SPI (0: any). */
  spi: number;
  /** Request id tying the template to SAs. */
  reqid: number;
  /** Mode. */
  mode: XfrmStateMode | number;
  /** Sharing. */
  share: XfrmShare | number;
  /** True for `level use`: the SA is optional. */
  optional: boolean;
  /** Allowed authentication algorithms (bit mask). */
  aalgos: number;
  /** Allowed encryption algorithms. */
  ealgos: number;
  /** Allowed compression algorithms. */
  calgos: number;
}

/** A template to write. */
export interface XfrmTemplateInput {
  /** Family of the template when it names no address (default the selector's). */
  family?: XfrmAddressFamily;
  /** Tunnel source (default any). */
  src?: string;
  /** Tunnel destination (default any). */
  dst?: string;
  /** IPsec protocol (default 0). */
  proto?: XfrmProtocol;
  /** SPI. */
  spi?: number;
  /** Request id. */
  reqid?: number;
  /** Mode (default 'transport'). */
  mode?: XfrmStateMode;
  /** Sharing (default 'any'). */
  share?: XfrmShare;
  /** `level use`. */
  optional?: boolean;
  /** Authentication algorithm mask (default all). */
  aalgos?: number;
  /** Encryption algorithm mask (default all). */
  ealgos?: number;
  /** Compression algorithm mask (default all). */
  calgos?: number;
}

/** A security policy. */
export interface XfrmPolicy {
  /** The traffic it applies to. */
  selector: XfrmSelector;
  /** Direction. */
  dir: XfrmPolicyDir | number;
  /** True for a per-socket policy (the kernel reports dir + 3). */
  socket: boolean;
  /** What it does. */
  action: XfrmPolicyAction | number;
  /** Priority (lower first). */
  priority: number;
  /** Index the kernel gave it. */
  index: number;
  /** Flags ('localok', 'icmp'). */
  flags: (XfrmPolicyFlags | number)[];
  /** Sharing. */
  share: XfrmShare | number;
  /** Lifetime limits. */
  lifetime: XfrmLifetimeConfig;
  /** Use so far. */
  current: XfrmLifetimeCurrent;
  /** Templates, in order. */
  templates: XfrmTemplate[];
  /** Policy table, when the kernel reports it. */
  type?: XfrmPolicyType | number;
  /** Mark, when set. */
  mark?: XfrmMark;
  /** xfrm interface id, when set. */
  ifId?: number;
  /** Security context text, when set. */
  securityContext?: string;
  /** Last use (seconds since the epoch), when reported. */
  lastUsed?: bigint;
}

/** A policy to add or update. */
export interface XfrmPolicyInput {
  /** Traffic it applies to (default any). */
  selector?: XfrmSelectorInput;
  /** Direction. */
  dir: XfrmPolicyDir;
  /** Action (default 'allow'). */
  action?: XfrmPolicyAction;
  /** Priority (default 0). */
  priority?: number;
  /** Index (default: the kernel picks). */
  index?: number;
  /** Flags. */
  flags?: readonly XfrmPolicyFlags[];
  /** Templates. */
  templates?: readonly XfrmTemplateInput[];
  /** Policy table (default 'main'). */
  type?: 'main' | 'sub';
  /** Mark (mask default 0xffffffff). */
  mark?: XfrmMarkInput;
  /** xfrm interface id. */
  ifId?: number;
  /** Lifetime limits (missing ones: no limit). */
  lifetime?: Partial<XfrmLifetimeConfig>;
  /** Security context (an LSM label); a kernel without an LSM that labels IPsec accepts and drops it. */
  securityContext?: string;
}

/** What names a policy: selector and direction, or index and direction. */
export interface XfrmPolicyKey {
  /** Direction. */
  dir: XfrmPolicyDir;
  /** Selector (default any). */
  selector?: XfrmSelectorInput;
  /** Index instead of a selector. */
  index?: number;
  /** Policy table. */
  type?: 'main' | 'sub';
  /** Mark. */
  mark?: XfrmMarkInput;
  /** xfrm interface id. */
  ifId?: number;
  /** Security context the policy was added with. */
  securityContext?: string;
}

/** An algorithm of an SA: name and key. */
export interface XfrmAlgorithm {
  /** Crypto API name ('cbc(aes)', 'hmac(sha256)' ...). */
  name: string;
  /** Key bytes. */
  key: Uint8Array;
  /** Key length in bits as the kernel reports it. */
  keyBits: number;
  /** ICV length in bits (aead) or truncation length (auth-trunc). */
  bits?: number;
}

/** UDP encapsulation of an SA. */
export interface XfrmEncap {
  /** Encapsulation type ('espinudp', 'espinudp-nonike', 'espintcp'), or its number. */
  type: string | number;
  /** Source port. */
  sport: number;
  /** Destination port. */
  dport: number;
  /** Original address. */
  oa: string;
}

/** A security association. */
export interface XfrmState {
  /** Family of the addresses. */
  family: XfrmAddressFamily;
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** IPsec protocol. */
  proto: XfrmProtocol;
  /** SPI. */
  spi: number;
  /** Request id. */
  reqid: number;
  /** Mode. */
  mode: XfrmStateMode | number;
  /** Replay window. */
  replayWindow: number;
  /** Sequence number (of an acquire). */
  seq: number;
  /** Flags. */
  flags: (XfrmStateFlags | number)[];
  /** Selector. */
  selector: XfrmSelector;
  /** Lifetime limits. */
  lifetime: XfrmLifetimeConfig;
  /** Use so far. */
  current: XfrmLifetimeCurrent;
  /** Error counters. */
  stats: XfrmStats;
  /** Authentication algorithm (XFRMA_ALG_AUTH). */
  auth?: XfrmAlgorithm;
  /** Authentication with truncation (XFRMA_ALG_AUTH_TRUNC). */
  authTrunc?: XfrmAlgorithm;
  /** Encryption (XFRMA_ALG_CRYPT). */
  crypt?: XfrmAlgorithm;
  /** Compression (XFRMA_ALG_COMP). */
  comp?: XfrmAlgorithm;
  /** AEAD (XFRMA_ALG_AEAD). */
  aead?: XfrmAlgorithm;
  /** UDP encapsulation. */
  encap?: XfrmEncap;
  /** Mark. */
  mark?: XfrmMark;
  /** Output mark (XFRMA_SET_MARK) and its mask. */
  outputMark?: XfrmOutputMark;
  /** xfrm interface id. */
  ifId?: number;
  /** Care-of address. */
  coaddr?: string;
  /** Last use, seconds since the epoch. */
  lastUsed?: bigint;
  /** Replay state (no ESN). */
  replay?: XfrmReplayState;
  /** Replay state with extended sequence numbers (XFRMA_REPLAY_ESN_VAL): bmpLen as the struct says, and the bitmap words the attribute holds. */
  replayEsn?: XfrmReplayEsn;
  /** TFC padding. */
  tfcpad?: number;
  /** Security context text. */
  securityContext?: string;
  /** SA direction ('in', 'out'). */
  dir?: string | number;
  /** Extra flags. */
  extraFlags?: (string | number)[];
  /** The device the SA is offloaded to (XFRMA_OFFLOAD_DEV). */
  offload?: XfrmOffload;
}

/** Hardware offload of an SA or policy. */
export interface XfrmOffload {
  /** Interface index of the device. */
  ifindex: number;
  /** Offload flags ('inbound', 'packet' ...). */
  flags: (string | number)[];
}

// ---- decode ----------------------------------------------------------------------

function big(x: bigint | undefined): bigint {
  return x ?? 0n;
}

/** Typed selector from a decoded xfrm_selector. */
export function toSelector(s: RawSelector | undefined, fallback: XfrmAddressFamily = 'unspec'): XfrmSelector {
  const own = familyName(s?.family);
  const f = own === 'unspec' ? fallback : own;
  return {
    family: own,
    src: `${addressText(s?.saddr, f)}/${s?.['prefixlen-s'] ?? 0}`,
    dst: `${addressText(s?.daddr, f)}/${s?.['prefixlen-d'] ?? 0}`,
    proto: s?.proto ?? 0,
    sport: s?.sport ?? 0,
    sportMask: s?.['sport-mask'] ?? 0,
    dport: s?.dport ?? 0,
    dportMask: s?.['dport-mask'] ?? 0,
    ifindex: s?.ifindex ?? 0,
    user: s?.user ?? 0,
  };
}

function toLifetime(l: XfrmLifetimeCfg | undefined): XfrmLifetimeConfig {
  return {
    softByteLimit: big(l?.['soft-byte-limit']),
    hardByteLimit: big(l?.['hard-byte-limit']),
    softPacketLimit: big(l?.['soft-packet-limit']),
    hardPacketLimit: big(l?.['hard-packet-limit']),
    softAddExpiresSeconds: big(l?.['soft-add-expires-seconds']),
    hardAddExpiresSeconds: big(l?.['hard-add-expires-seconds']),
    softUseExpiresSeconds: big(l?.['soft-use-expires-seconds']),
    hardUseExpiresSeconds: big(l?.['hard-use-expires-seconds']),
  };
}

function toCurrent(c: XfrmLifetimeCur | undefined): XfrmLifetimeCurrent {
  return { bytes: big(c?.bytes), packets: big(c?.packets), addTime: big(c?.['add-time']), useTime: big(c?.['use-time']) };
}

// The family is loaded by the time templates are decoded (a client is open, or loadXfrmFamily ran).
const tmplCodec = () => xfrmFamily.get().structs.get('xfrm-user-tmpl')!;

/** The templates of an XFRMA_TMPL attribute: the first decoded by the codec, the ones after it (kept as __rest) by the same struct codec. */
export function toTemplates(first: (XfrmUserTmpl & { __rest?: Uint8Array | undefined }) | undefined): XfrmTemplate[] {
  if (!first) return [];
  const out: XfrmTemplate[] = [];
  let t: (XfrmUserTmpl & { __rest?: Uint8Array | undefined }) | undefined = first;
  const codec = tmplCodec();
  while (t) {
    if (t.calgos === undefined) throw new NetlinkDecodeError(`xfrm template of fewer than ${codec.size} bytes`, 0, 'xfrm-attrs.tmpl');
    const f = familyName(t.family);
    out.push({
      family: f,
      src: addressText(t.saddr, f),
      dst: addressText(t.id?.daddr, f),
      proto: t.id?.proto ?? 0,
      spi: t.id?.spi ?? 0,
      reqid: t.reqid ?? 0,
      mode: t.mode ?? 0,
      share: t.share ?? 0,
      optional: (t.optional ?? 0) !== 0,
      aalgos: t.aalgos ?? 0,
      ealgos: t.ealgos ?? 0,
      calgos: t.calgos,
    });
    const rest: Uint8Array | undefined = t.__rest;
    t = rest && rest.length > 0 ? (codec.decode(rest) as unknown as XfrmUserTmpl & { __rest?: Uint8Array | undefined }) : undefined;
  }
  return out;
}

function algorithm(
  a: { 'alg-name': string | undefined; 'alg-key-len': number | undefined; __rest?: Uint8Array | undefined } | undefined,
  bits?: number,
): XfrmAlgorithm | undefined {
  if (!a) return undefined;
  const keyBits = a['alg-key-len'] ?? 0;
  const rest = a.__rest ?? new Uint8Array(0);
  const out: XfrmAlgorithm = { name: a['alg-name'] ?? '', key: rest.subarray(0, Math.min(rest.length, Math.ceil(keyBits / 8))), keyBits };
  if (bits !== undefined) out.bits = bits;
  return out;
}

function securityContext(c: XfrmAttrs['sec-ctx']): string | undefined {
  if (!c) return undefined;
  const rest = c.__rest ?? new Uint8Array(0);
  const bytes = rest.subarray(0, Math.min(rest.length, c['ctx-len'] ?? 0));
  // ip sends the text with its NUL (ctx_len counts it) and prints up to it.
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

/** XFRMA_SEC_CTX as ip writes it: struct xfrm_user_sec_ctx for an LSM (SELinux) context, then the text and its NUL. */
export function securityContextInput(text: unknown, field: string): NonNullable<XfrmAttrsInput['sec-ctx']> {
  if (typeof text !== 'string') throw new TypeError(`${field}: expected a security context string, got ${describe(text)}`);
  const body = new TextEncoder().encode(text + '\0');
  if (body.length > 0xffff - 8) throw new RangeError(`${field}: a context of ${body.length} bytes does not fit`);
  return { len: 8 + body.length, exttype: XFRMA_SEC_CTX, 'ctx-alg': XFRM_SC_ALG_SELINUX, 'ctx-doi': XFRM_SC_DOI_LSM, 'ctx-len': body.length, __rest: body };
}

function markOf(m: XfrmAttrs['mark']): XfrmMark | undefined {
  return m ? { value: m.v ?? 0, mask: m.m ?? 0 } : undefined;
}

/** Typed policy from a decoded xfrm_userpolicy_info and the message's attributes. */
export function toPolicy(p: XfrmUserpolicyInfo, attrs: Partial<XfrmAttrs>): XfrmPolicy {
  const dirNum = typeof p.dir === 'number' ? p.dir : undefined;
  // A socket policy's direction is XFRM_POLICY_MAX (3) + its direction (xfrm_sk_policy_insert()).
  const socket = dirNum !== undefined && dirNum > XFRM_POLICY_FWD;
  const policy: XfrmPolicy = {
    selector: toSelector(p.sel),
    dir: socket ? (XFRM_POLICY_DIR_NAMES[dirNum - XFRM_POLICY_FWD - 1] ?? dirNum) : (p.dir ?? 0),
    socket,
    action: p.action ?? 0,
    priority: p.priority ?? 0,
    index: p.index ?? 0,
    flags: p.flags ?? [],
    share: p.share ?? 0,
    lifetime: toLifetime(p.lft),
    current: toCurrent(p.curlft),
    templates: toTemplates(attrs.tmpl),
  };
  if (attrs['policy-type']) policy.type = attrs['policy-type'].type ?? 0;
  const mark = markOf(attrs.mark);
  if (mark) policy.mark = mark;
  if (attrs['if-id'] !== undefined) policy.ifId = attrs['if-id'];
  const ctx = securityContext(attrs['sec-ctx']);
  if (ctx !== undefined) policy.securityContext = ctx;
  if (attrs.lastused !== undefined) policy.lastUsed = attrs.lastused;
  return policy;
}

/** Typed SA from a decoded xfrm_usersa_info and the message's attributes. */
export function toState(s: XfrmUsersaInfo, attrs: Partial<XfrmAttrs>): XfrmState {
  const f = familyName(s.family);
  const state: XfrmState = {
    family: f,
    src: addressText(s.saddr, f),
    dst: addressText(s.id?.daddr, f),
    proto: s.id?.proto ?? 0,
    spi: s.id?.spi ?? 0,
    reqid: s.reqid ?? 0,
    mode: s.mode ?? 0,
    replayWindow: s['replay-window'] ?? 0,
    seq: s.seq ?? 0,
    flags: s.flags ?? [],
    selector: toSelector(s.sel, f),
    lifetime: toLifetime(s.lft),
    current: toCurrent(s.curlft),
    stats: { replayWindow: s.stats?.['replay-window'] ?? 0, replay: s.stats?.replay ?? 0, integrityFailed: s.stats?.['integrity-failed'] ?? 0 },
  };
  const auth = algorithm(attrs['alg-auth']);
  if (auth) state.auth = auth;
  const trunc = attrs['alg-auth-trunc'];
  const authTrunc = algorithm(trunc, trunc?.['alg-trunc-len'] ?? 0);
  if (authTrunc) state.authTrunc = authTrunc;
  const aeadRaw = attrs['alg-aead'];
  const aead = algorithm(aeadRaw, aeadRaw?.['alg-icv-len'] ?? 0);
  if (aead) state.aead = aead;
  const crypt = algorithm(attrs['alg-crypt']);
  if (crypt) state.crypt = crypt;
  const comp = algorithm(attrs['alg-comp']);
  if (comp) state.comp = comp;
  const e = attrs.encap;
  if (e) state.encap = { type: e['encap-type'] ?? 0, sport: e['encap-sport'] ?? 0, dport: e['encap-dport'] ?? 0, oa: addressText(e['encap-oa'], f) };
  const mark = markOf(attrs.mark);
  if (mark) state.mark = mark;
  if (attrs['set-mark'] !== undefined) state.outputMark = { value: attrs['set-mark'], ...(attrs['set-mark-mask'] !== undefined ? { mask: attrs['set-mark-mask'] } : {}) };
  if (attrs['if-id'] !== undefined) state.ifId = attrs['if-id'];
  if (attrs.coaddr !== undefined) state.coaddr = addressText(attrs.coaddr, f);
  if (attrs.lastused !== undefined) state.lastUsed = attrs.lastused;
  const r = attrs['replay-val'];
  if (r) state.replay = { oseq: r.oseq ?? 0, seq: r.seq ?? 0, bitmap: r.bitmap ?? 0 };
  const esn = attrs['replay-esn-val'];
  if (esn) {
    const rest = esn.__rest ?? new Uint8Array(0);
    const words = Math.min(esn['bmp-len'] ?? 0, Math.floor(rest.length / 4));
    const dv = new DataView(rest.buffer, rest.byteOffset, rest.byteLength);
    const bitmap: number[] = [];
    for (let i = 0; i < words; i++) bitmap.push(dv.getUint32(i * 4, true));
    state.replayEsn = {
      oseq: esn.oseq ?? 0,
      seq: esn.seq ?? 0,
      oseqHi: esn['oseq-hi'] ?? 0,
      seqHi: esn['seq-hi'] ?? 0,
      replayWindow: esn['replay-window'] ?? 0,
      bmpLen: esn['bmp-len'] ?? 0,
      bitmap,
    };
  }
  if (attrs.tfcpad !== undefined) state.tfcpad = attrs.tfcpad;
  const ctx = securityContext(attrs['sec-ctx']);
  if (ctx !== undefined) state.securityContext = ctx;
  if (attrs['sa-dir'] !== undefined) state.dir = attrs['sa-dir'];
  if (attrs['sa-extra-flags'] !== undefined) state.extraFlags = attrs['sa-extra-flags'];
  const off = attrs['offload-dev'];
  if (off) state.offload = { ifindex: off.ifindex ?? 0, flags: off.flags ?? [] };
  return state;
}

// ---- encode ------------------------------------------------------------------------

/** A selector as the encoder takes it, and the family it was given. */
export interface XfrmSelectorEncoding {
  /** The family of the selector's addresses ('unspec' when it names none). */
  family: XfrmAddressFamily;
  /** struct xfrm_selector fields for the generated codec. */
  raw: RawSelectorInput;
}

/** XFRMA_TMPL as the encoder takes it: the first template's fields, the others' bytes after it. */
export type XfrmTemplatesEncoding = XfrmUserTmplInput & {
  /** The templates after the first, back to back. */
  __rest?: Uint8Array;
};

/** struct xfrm_mark as the encoder takes it. */
export interface XfrmMarkRaw {
  /** The value. */
  v: number;
  /** The mask. */
  m: number;
}

/** Encoder input of a selector; `family` is the selector family chosen. */
export function selectorInput(s: XfrmSelectorInput | undefined, field: string): XfrmSelectorEncoding {
  if (s !== undefined && (s === null || typeof s !== 'object')) throw new TypeError(`${field}: expected an object { src, dst, ... }, got ${describe(s)}`);
  const sel = s ?? {};
  const raw: RawSelectorInput = {};
  let family: XfrmAddressFamily | undefined = sel.family;
  if (family !== undefined && family !== 'ipv4' && family !== 'ipv6' && family !== 'unspec')
    throw new RangeError(`${field}.family: expected 'ipv4', 'ipv6' or 'unspec', got ${describe(family)}`);
  for (const k of ['src', 'dst'] as const) {
    if (sel[k] === undefined) continue;
    const p = parsePrefix(sel[k], `${field}.${k}`);
    if (family !== undefined && family !== 'unspec' && family !== p.family) throw new RangeError(`${field}.${k}: ${describe(sel[k])} is not an ${family} address`);
    family = p.family;
    if (k === 'src') {
      raw.saddr = p.bytes;
      raw['prefixlen-s'] = p.length;
    } else {
      raw.daddr = p.bytes;
      raw['prefixlen-d'] = p.length;
    }
  }
  raw.family = familyNumber(family ?? 'unspec');
  if (sel.proto !== undefined) raw.proto = checkInteger(sel.proto, `${field}.proto`, 0, 255);
  if (sel.sport !== undefined) {
    raw.sport = checkInteger(sel.sport, `${field}.sport`, 0, 0xffff);
    raw['sport-mask'] = 0xffff;
  }
  if (sel.sportMask !== undefined) raw['sport-mask'] = checkInteger(sel.sportMask, `${field}.sportMask`, 0, 0xffff);
  if (sel.dport !== undefined) {
    raw.dport = checkInteger(sel.dport, `${field}.dport`, 0, 0xffff);
    raw['dport-mask'] = 0xffff;
  }
  if (sel.dportMask !== undefined) raw['dport-mask'] = checkInteger(sel.dportMask, `${field}.dportMask`, 0, 0xffff);
  if (sel.ifindex !== undefined) raw.ifindex = checkInteger(sel.ifindex, `${field}.ifindex`, 0, 0x7fffffff);
  if (sel.user !== undefined) raw.user = checkU32(sel.user, `${field}.user`);
  return { family: family ?? 'unspec', raw };
}

const LIFETIME_KEYS: readonly [keyof XfrmLifetimeConfig, keyof XfrmLifetimeCfgInput][] = [
  ['softByteLimit', 'soft-byte-limit'],
  ['hardByteLimit', 'hard-byte-limit'],
  ['softPacketLimit', 'soft-packet-limit'],
  ['hardPacketLimit', 'hard-packet-limit'],
  ['softAddExpiresSeconds', 'soft-add-expires-seconds'],
  ['hardAddExpiresSeconds', 'hard-add-expires-seconds'],
  ['softUseExpiresSeconds', 'soft-use-expires-seconds'],
  ['hardUseExpiresSeconds', 'hard-use-expires-seconds'],
];

/** Lifetime limits to encode: the byte and packet limits default to XFRM_INF, the times to 0 (as iproute2 sends them). */
export function lifetimeInput(l: Partial<XfrmLifetimeConfig> | undefined, field: string): XfrmLifetimeCfgInput {
  if (l !== undefined && (l === null || typeof l !== 'object')) throw new TypeError(`${field}: expected an object of limits, got ${describe(l)}`);
  const out: XfrmLifetimeCfgInput = {
    'soft-byte-limit': XFRM_INF,
    'hard-byte-limit': XFRM_INF,
    'soft-packet-limit': XFRM_INF,
    'hard-packet-limit': XFRM_INF,
  };
  for (const [k, raw] of LIFETIME_KEYS) {
    const v = l?.[k];
    if (v !== undefined) out[raw] = checkBigInteger(v, `${field}.${k}`, 0n, XFRM_INF);
  }
  return out;
}

const XFRM_PROTO_NAMES = (): Map<string, number> => {
  const def = xfrmFamily.get().spec.definitions.find((d) => d.kind === 'enum' && d.name === 'xfrm-proto');
  return new Map(def && def.kind === 'enum' ? def.entries.map((e) => [e.name, e.value] as const) : []);
};

/** The number of an IPsec protocol name or number. */
export function protoNumber(p: unknown, field: string): number {
  if (typeof p === 'string') {
    const names = XFRM_PROTO_NAMES();
    const n = names.get(p);
    if (n === undefined) throw new RangeError(`${field}: unknown IPsec protocol ${describe(p)} (known: ${[...names.keys()].join(', ')})`);
    return n;
  }
  return checkInteger(p, field, 0, 255);
}

function enumCheck<T extends string>(x: unknown, field: string, enumName: string): T {
  const def = xfrmFamily.get().spec.definitions.find((d) => (d.kind === 'enum' || d.kind === 'flags') && d.name === enumName);
  const names = def && def.kind !== 'const' && def.kind !== 'struct' ? def.entries.map((e) => e.name) : [];
  if (typeof x !== 'string' || !names.includes(x)) throw new RangeError(`${field}: expected one of ${names.join(', ')}, got ${describe(x)}`);
  return x as T;
}

/** Checks a name of an enum or flags definition of the spec. */
export function checkName<T extends string>(x: unknown, field: string, enumName: string): T {
  return enumCheck<T>(x, field, enumName);
}

/** Templates to encode, back to back in one XFRMA_TMPL. */
export function templatesInput(list: readonly XfrmTemplateInput[], fallback: XfrmAddressFamily, field: string): XfrmTemplatesEncoding {
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${field}: expected a non-empty array of templates`);
  const codec = tmplCodec();
  const encoded = list.map((t, i) => codec.encode(templateInput(t, fallback, `${field}[${i}]`) as never, `${field}[${i}]`));
  const first = templateInput(list[0]!, fallback, `${field}[0]`);
  if (encoded.length === 1) return first;
  const rest = new Uint8Array(codec.size * (encoded.length - 1));
  encoded.slice(1).forEach((b, i) => rest.set(b, i * codec.size));
  return { ...first, __rest: rest };
}

function templateInput(t: XfrmTemplateInput, fallback: XfrmAddressFamily, field: string): XfrmUserTmplInput {
  if (t === null || typeof t !== 'object') throw new TypeError(`${field}: expected an object { src, dst, proto, ... }, got ${describe(t)}`);
  if (t.family !== undefined && t.family !== 'ipv4' && t.family !== 'ipv6' && t.family !== 'unspec')
    throw new RangeError(`${field}.family: expected 'ipv4', 'ipv6' or 'unspec', got ${describe(t.family)}`);
  let family: XfrmAddressFamily = t.family ?? fallback;
  const out: XfrmUserTmplInput = { id: {} };
  if (t.src !== undefined) {
    family = addressFamilyOf(t.src, `${field}.src`);
    out.saddr = addressBytes(t.src, `${field}.src`);
  }
  if (t.dst !== undefined) {
    const f = addressFamilyOf(t.dst, `${field}.dst`);
    if (t.src !== undefined && f !== family) throw new RangeError(`${field}.dst: ${describe(t.dst)} is not of the family of src`);
    family = f;
    out.id!.daddr = addressBytes(t.dst, `${field}.dst`);
  }
  out.family = familyNumber(family);
  if (t.proto !== undefined) out.id!.proto = protoNumber(t.proto, `${field}.proto`);
  if (t.spi !== undefined) out.id!.spi = checkU32(t.spi, `${field}.spi`);
  if (t.reqid !== undefined) out.reqid = checkU32(t.reqid, `${field}.reqid`);
  if (t.mode !== undefined) out.mode = checkName<XfrmMode>(t.mode, `${field}.mode`, 'xfrm-mode');
  if (t.share !== undefined) out.share = checkName<XfrmShare>(t.share, `${field}.share`, 'xfrm-share');
  if (t.optional !== undefined) {
    if (typeof t.optional !== 'boolean') throw new TypeError(`${field}.optional: expected a boolean, got ${describe(t.optional)}`);
    out.optional = t.optional ? 1 : 0;
  }
  out.aalgos = t.aalgos === undefined ? 0xffffffff : checkU32(t.aalgos, `${field}.aalgos`);
  out.ealgos = t.ealgos === undefined ? 0xffffffff : checkU32(t.ealgos, `${field}.ealgos`);
  out.calgos = t.calgos === undefined ? 0xffffffff : checkU32(t.calgos, `${field}.calgos`);
  return out;
}

/** Mark attribute of an input. */
export function markInput(m: XfrmMarkInput | undefined, field: string): XfrmMarkRaw | undefined {
  if (m === undefined) return undefined;
  if (m === null || typeof m !== 'object') throw new TypeError(`${field}: expected an object { value, mask? }, got ${describe(m)}`);
  return { v: checkU32(m.value, `${field}.value`), m: m.mask === undefined ? 0xffffffff : checkU32(m.mask, `${field}.mask`) };
}

/** The userpolicy_info and attributes of a policy to add or update. */
export function policyInput(p: XfrmPolicyInput, field: string): XfrmUserpolicyInfoInput & XfrmAttrsInput {
  if (p === null || typeof p !== 'object') throw new TypeError(`${field}: expected an object { dir, selector, ... }, got ${describe(p)}`);
  const sel = selectorInput(p.selector, `${field}.selector`);
  const out: XfrmUserpolicyInfoInput & XfrmAttrsInput = {
    sel: sel.raw,
    lft: lifetimeInput(p.lifetime, `${field}.lifetime`),
    dir: checkName<XfrmPolicyDir>(p.dir, `${field}.dir`, 'xfrm-policy-dir'),
    action: p.action === undefined ? 'allow' : checkName<XfrmPolicyAction>(p.action, `${field}.action`, 'xfrm-policy-action'),
  };
  if (p.priority !== undefined) out.priority = checkU32(p.priority, `${field}.priority`);
  if (p.index !== undefined) out.index = checkU32(p.index, `${field}.index`);
  if (p.flags !== undefined) {
    if (!Array.isArray(p.flags)) throw new TypeError(`${field}.flags: expected an array of flag names, got ${describe(p.flags)}`);
    out.flags = p.flags.map((f, i) => checkName<XfrmPolicyFlags>(f, `${field}.flags[${i}]`, 'xfrm-policy-flags'));
  }
  if (p.templates !== undefined && p.templates.length > 0) out.tmpl = templatesInput(p.templates, sel.family, `${field}.templates`);
  if (p.type !== undefined) out['policy-type'] = { type: checkName<XfrmPolicyType>(p.type, `${field}.type`, 'xfrm-policy-type') };
  const mark = markInput(p.mark, `${field}.mark`);
  if (mark) out.mark = mark;
  if (p.ifId !== undefined) out['if-id'] = checkU32(p.ifId, `${field}.ifId`);
  if (p.securityContext !== undefined) out['sec-ctx'] = securityContextInput(p.securityContext, `${field}.securityContext`);
  return out;
}
