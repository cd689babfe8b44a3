// Text of `ip xfrm` (iproute2 ip/ipxfrm.c, xfrm_state.c, xfrm_policy.c,
// xfrm_monitor.c) over the typed objects of src/families/xfrm: states,
// policies, templates, selectors, and the monitor's events. Names of
// protocols, modes and flags come from the spec (the typed objects carry
// them); the words around them are ip's.
import { readFileSync } from 'node:fs';
import { family as xfrmFamily } from '../../families/generated/xfrm.js';
import type { XfrmAcquire, XfrmEvent } from '../../families/xfrm/client.js';
import type { XfrmAlgorithm, XfrmLifetimeConfig, XfrmLifetimeCurrent, XfrmPolicy, XfrmSelector, XfrmState, XfrmTemplate } from '../../families/xfrm/convert.js';
import { XFRM_INF, familyName } from '../../families/xfrm/convert.js';
import { IPPROTO_AH, IPPROTO_COMP, IPPROTO_ESP, XFRM_AE_CE, XFRM_AE_CR, XFRM_AE_CU, XFRM_POLICY_ALLOW, XFRM_POLICY_BLOCK } from '../../families/generated/xfrm.constants.js';

/** What the printers need from the command: options and interface names. */
export interface XfrmPrintContext {
  /** -s, counted (show_stats). */
  stats: number;
  /** -o: lines end in "\" (iproute2's _SL_), one object per line. */
  oneline: boolean;
  /** -4 / -6 (preferred_family) as 'ipv4' / 'ipv6', or undefined. */
  family: 'ipv4' | 'ipv6' | undefined;
  /** ll_index_to_name(). */
  indexName(index: number): string;
  /** `nokeys`: keys hidden. */
  nokeys?: boolean;
}

// ---- names -------------------------------------------------------------------------

let protocols: { byNumber: Map<number, string>; byName: Map<string, number> } | undefined;

/** /etc/protocols as getprotobynumber() / getprotobyname() read it (aliases included). */
function protocolTable(): { byNumber: Map<number, string>; byName: Map<string, number> } {
  if (protocols) return protocols;
  const byNumber = new Map<number, string>();
  const byName = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync('/etc/protocols', 'latin1');
  } catch {
    text = '';
  }
  for (const raw of text.split('\n')) {
    const words = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (words.length < 2 || !/^\d+$/.test(words[1]!)) continue;
    const n = Number(words[1]);
    if (!byNumber.has(n)) byNumber.set(n, words[0]!);
    for (const w of [words[0]!, ...words.slice(2)]) if (!byName.has(w)) byName.set(w, n);
  }
  protocols = { byNumber, byName };
  return protocols;
}

/** strxf_proto(): the /etc/protocols name of an upper-layer protocol, or its number. */
export function upperProtoName(n: number): string {
  return protocolTable().byNumber.get(n) ?? String(n);
}

/** getprotobyname(). */
export function upperProtoNumber(name: string): number | undefined {
  return protocolTable().byName.get(name);
}

function enumEntries(name: string): readonly { name: string; value: number }[] {
  const d = xfrmFamily.spec.definitions.find((x) => x.name === name);
  return d && (d.kind === 'enum' || d.kind === 'flags') ? d.entries : [];
}

/** The number of a name of an enum of the xfrm spec. */
export function enumValue(enumName: string, v: string | number): number {
  if (typeof v === 'number') return v;
  return enumEntries(enumName).find((e) => e.name === v)?.value ?? 0;
}

/** The bits of a list of flag names of the xfrm spec. */
export function flagBits(flagsName: string, list: readonly (string | number)[]): number {
  let bits = 0;
  for (const f of list) bits |= typeof f === 'number' ? f : 1 << (enumEntries(flagsName).find((e) => e.name === f)?.value ?? 31);
  return bits >>> 0;
}

/** strxf_xfrmproto(): ip's names of the IPsec protocols, or the number. */
export function xfrmProtoName(p: string | number): string {
  return typeof p === 'string' ? p : String(p);
}

/** The proto number of an IPsec protocol name (xfrm_xfrmproto_getbyname), or -1. */
export function xfrmProtoNumber(name: string): number {
  return enumEntries('xfrm-proto').find((e) => e.name === name)?.value ?? -1;
}

const MODE_TEXT: Record<string, string> = { 'in-trigger': 'in_trigger' };

function modeText(m: string | number): string {
  if (typeof m === 'number') return String(m);
  // ip 6.1 has no name for XFRM_MODE_IPTFS.
  if (m === 'iptfs') return String(enumValue('xfrm-mode', m));
  return MODE_TEXT[m] ?? m;
}

function shareText(s: string | number): string {
  return String(s);
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

/** printf("%#x"): 0 prints as "0". */
function altHex(n: number): string {
  return n === 0 ? '0' : hex(n);
}

function mask8(n: number): string {
  return (n & 0xff).toString(2).padStart(8, '0');
}

/** rt_addr_n2a(): "???" for a family it does not know. */
function addr(text: string, f: 'ipv4' | 'ipv6' | 'unspec'): string {
  return f === 'unspec' ? '???' : text;
}

// ---- pieces ------------------------------------------------------------------------

class Out {
  text = '';
  constructor(readonly ctx: XfrmPrintContext) {}
  get sl(): string {
    return this.ctx.oneline ? '\\' : '\n';
  }
  put(s: string): void {
    this.text += s;
  }
  end(): void {
    this.text += this.sl;
  }
}

function idInfo(
  o: Out,
  src: string,
  dst: string,
  proto: string | number,
  spi: number,
  mode: string | number,
  reqid: number,
  f: 'ipv4' | 'ipv6' | 'unspec',
  forceSpi: boolean,
  prefix: string | undefined,
  title: string | undefined,
): void {
  if (title) o.put(title);
  o.put(`src ${addr(src, f)} `);
  o.put(`dst ${addr(dst, f)}`);
  o.end();
  if (prefix) o.put(prefix);
  o.put('\t');
  o.put(`proto ${xfrmProtoName(proto)} `);
  if (o.ctx.stats > 0 || forceSpi || spi) {
    o.put(`spi 0x${hex8(spi)}`);
    if (o.ctx.stats > 0) o.put(`(${spi >>> 0})`);
    o.put(' ');
  }
  o.put(`reqid ${reqid >>> 0}`);
  if (o.ctx.stats > 0) o.put(`(0x${hex8(reqid)})`);
  o.put(' ');
  o.put(`mode ${modeText(mode)}`);
  o.end();
}

function limit(n: bigint): string {
  return n === XFRM_INF ? '(INF)' : n.toString();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** strxf_time(): local time as "%Y-%m-%d %T", "-" for 0. */
function timeText(t: bigint): string {
  if (t === 0n) return '-';
  const d = new Date(Number(BigInt.asIntN(64, t)) * 1000);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function lifetime(o: Out, cfg: XfrmLifetimeConfig | undefined, cur: XfrmLifetimeCurrent | undefined, prefix: string): void {
  if (cfg) {
    o.put(prefix + 'lifetime config:');
    o.end();
    o.put(prefix + `  limit: soft ${limit(cfg.softByteLimit)}(bytes), hard ${limit(cfg.hardByteLimit)}(bytes)`);
    o.end();
    o.put(prefix + `  limit: soft ${limit(cfg.softPacketLimit)}(packets), hard ${limit(cfg.hardPacketLimit)}(packets)`);
    o.end();
    o.put(prefix + `  expire add: soft ${cfg.softAddExpiresSeconds}(sec), hard ${cfg.hardAddExpiresSeconds}(sec)`);
    o.end();
    o.put(prefix + `  expire use: soft ${cfg.softUseExpiresSeconds}(sec), hard ${cfg.hardUseExpiresSeconds}(sec)`);
    o.end();
  }
  if (cur) {
    o.put(prefix + 'lifetime current:');
    o.end();
    o.put(prefix + `  ${cur.bytes}(bytes), ${cur.packets}(packets)`);
    o.end();
    o.put(prefix + `  add ${timeText(cur.addTime)} use ${timeText(cur.useTime)}`);
    o.end();
  }
}

// Upper-layer protocols whose ports ip prints otherwise (include/uapi/linux/in.h, in6.h).
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_GRE = 47;
const IPPROTO_MH = 135;

function splitPrefix(text: string): [string, string] {
  const i = text.lastIndexOf('/');
  return [text.slice(0, i), text.slice(i + 1)];
}

/** xfrm_selector_print(). */
function selector(o: Out, sel: XfrmSelector, fallback: 'ipv4' | 'ipv6' | 'unspec', prefix: string | undefined): void {
  let f = sel.family;
  if (f === 'unspec') f = fallback;
  if (f === 'unspec') f = o.ctx.family ?? 'unspec';
  if (prefix) o.put(prefix);
  const [sa, sl] = splitPrefix(sel.src);
  const [da, dl] = splitPrefix(sel.dst);
  o.put(`src ${addr(sa, f)}/${sl} `);
  o.put(`dst ${addr(da, f)}/${dl} `);
  if (sel.proto) o.put(`proto ${upperProtoName(sel.proto)} `);
  switch (sel.proto) {
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      if (sel.sportMask) o.put(`type ${sel.sport} `);
      if (sel.dportMask) o.put(`code ${sel.dport} `);
      break;
    case IPPROTO_GRE:
      if (sel.sportMask || sel.dportMask) o.put(`key ${sel.sport * 65536 + sel.dport} `);
      break;
    case IPPROTO_MH:
      if (sel.sportMask) o.put(`type ${sel.sport} `);
      if (sel.dportMask && o.ctx.stats > 0) o.put(`(dport) 0x${((sel.dport >> 8) | ((sel.dport & 0xff) << 8)).toString(16).padStart(4, '0')} `);
      break;
    default:
      if (sel.sportMask) o.put(`sport ${sel.sport} `);
      if (sel.dportMask) o.put(`dport ${sel.dport} `);
  }
  if (sel.ifindex > 0) o.put(`dev ${o.ctx.indexName(sel.ifindex)} `);
  if (o.ctx.stats > 0) o.put(`uid ${sel.user >>> 0}`);
  o.end();
}

function selectorIsZero(sel: XfrmSelector): boolean {
  const zeroAddr = (t: string): boolean => /^(0\.0\.0\.0|::)\/0$/.test(t);
  return (
    sel.family === 'unspec' &&
    zeroAddr(sel.src) &&
    zeroAddr(sel.dst) &&
    sel.proto === 0 &&
    sel.sport === 0 &&
    sel.sportMask === 0 &&
    sel.dport === 0 &&
    sel.dportMask === 0 &&
    sel.ifindex === 0 &&
    sel.user === 0
  );
}

function algorithm(o: Out, type: string, a: XfrmAlgorithm, prefix: string, newline: boolean): void {
  o.put(prefix);
  o.put(`${type} `);
  o.put(`${a.name} `);
  const keylen = Math.floor(a.keyBits / 8);
  if (a.key.length < keylen) o.put('(ERROR truncated)');
  else if (o.ctx.nokeys) o.put('<<Keys hidden>>');
  else if (keylen > 0) {
    o.put('0x' + Array.from(a.key.subarray(0, keylen), (b) => b.toString(16).padStart(2, '0')).join(''));
    if (o.ctx.stats > 0) o.put(` (${a.keyBits} bits)`);
  }
  if (newline) o.end();
}

function templates(o: Out, list: readonly XfrmTemplate[], prefix: string): void {
  for (const t of list) {
    o.put(prefix);
    idInfo(o, t.src, t.dst, t.proto, t.spi, t.mode, t.reqid, t.family, false, prefix, 'tmpl ');
    const optional = t.optional ? 1 : 0;
    if (o.ctx.stats > 0 || optional) {
      o.put(prefix + '\t');
      if (optional === 0) {
        if (o.ctx.stats > 0) o.put('level required ');
      } else o.put('level use ');
      if (o.ctx.stats > 0) o.put(`share ${shareText(t.share)} `);
      o.end();
    }
    if (o.ctx.stats > 0) {
      o.put(prefix + '\t');
      o.put(`enc-mask ${hex8(t.ealgos)} auth-mask ${hex8(t.aalgos)} comp-mask ${hex8(t.calgos)}`);
      o.end();
    }
  }
}

interface Xfrma {
  mark?: { value: number; mask: number } | undefined;
  outputMark?: { value: number; mask?: number } | undefined;
  auth?: XfrmAlgorithm | undefined;
  authTrunc?: XfrmAlgorithm | undefined;
  aead?: XfrmAlgorithm | undefined;
  crypt?: XfrmAlgorithm | undefined;
  comp?: XfrmAlgorithm | undefined;
  encap?: { type: string | number; sport: number; dport: number; oa: string } | undefined;
  templates?: readonly XfrmTemplate[] | undefined;
  coaddr?: string | undefined;
  lastUsed?: bigint | undefined;
  replay?: { oseq: number; seq: number; bitmap: number } | undefined;
  replayEsn?: { oseq: number; seq: number; oseqHi: number; seqHi: number; replayWindow: number; bmpLen: number; bitmap: number[] } | undefined;
  offload?: { ifindex: number; flags: (string | number)[] } | undefined;
  ifId?: number | undefined;
  tfcpad?: number | undefined;
}

/** xfrm_xfrma_print(). */
function xfrma(o: Out, a: Xfrma, f: 'ipv4' | 'ipv6' | 'unspec', prefix: string): void {
  const outputMark = (): void => {
    o.put(`output-mark 0x${(a.outputMark!.value >>> 0).toString(16)}`);
    if (a.outputMark!.mask !== undefined) o.put(`/0x${(a.outputMark!.mask >>> 0).toString(16)}`);
  };
  if (a.mark) {
    o.put(`\tmark ${altHex(a.mark.value)}/${altHex(a.mark.mask)} `);
    if (a.outputMark) outputMark();
    o.end();
  } else if (a.outputMark) {
    o.put('\t');
    outputMark();
    o.end();
  }
  if (a.auth && !a.authTrunc) algorithm(o, 'auth', a.auth, prefix, true);
  if (a.authTrunc) {
    algorithm(o, 'auth-trunc', a.authTrunc, prefix, false);
    o.put(` ${a.authTrunc.bits ?? 0}`);
    o.end();
  }
  if (a.aead) {
    algorithm(o, 'aead', a.aead, prefix, false);
    o.put(` ${a.aead.bits ?? 0}`);
    o.end();
  }
  if (a.crypt) algorithm(o, 'enc', a.crypt, prefix, true);
  if (a.comp) algorithm(o, 'comp', a.comp, prefix, true);
  if (a.encap) {
    o.put(prefix + 'encap ');
    o.put(`type ${String(a.encap.type)} `);
    o.put(`sport ${a.encap.sport} `);
    o.put(`dport ${a.encap.dport} `);
    o.put(`addr ${addr(a.encap.oa, f)}`);
    o.end();
  }
  if (a.templates && a.templates.length > 0) templates(o, a.templates, prefix);
  if (a.coaddr !== undefined) {
    o.put(prefix + `coa ${addr(a.coaddr, f)}`);
    o.end();
  }
  if (a.lastUsed !== undefined) {
    o.put(prefix + `lastused ${timeText(a.lastUsed)}`);
    o.end();
  }
  if (a.replay) {
    o.put(prefix + `anti-replay context: seq 0x${a.replay.seq.toString(16)}, oseq 0x${a.replay.oseq.toString(16)}, bitmap 0x${hex8(a.replay.bitmap)}`);
    o.end();
  }
  if (a.replayEsn) {
    const r = a.replayEsn;
    o.put(prefix + 'anti-replay esn context:');
    o.end();
    o.put(prefix + ` seq-hi 0x${r.seqHi.toString(16)}, seq 0x${r.seq.toString(16)}, oseq-hi 0x${r.oseqHi.toString(16)}, oseq 0x${r.oseq.toString(16)}`);
    o.end();
    o.put(prefix + ` replay_window ${r.replayWindow >>> 0}, bitmap-length ${r.bmpLen >>> 0}`);
    // ip prints bmp_len words whether or not the attribute holds them (its
    // own requests carry none: it reads on past the attribute); words the
    // attribute lacks print as 0, as they read in ip's zeroed buffer.
    for (let i = Math.min(r.bmpLen >>> 0, 4096 / 32), j = 0; i; i--) {
      if (j++ % 8 === 0) {
        o.end();
        o.put(prefix + ' ');
      }
      o.put(`${hex8(r.bitmap[i - 1] ?? 0)} `);
    }
    o.end();
  }
  if (a.offload) {
    o.put(prefix + `crypto offload parameters: dev ${o.ctx.indexName(a.offload.ifindex)} dir ${a.offload.flags.includes('inbound') ? 'in' : 'out'}`);
    o.end();
  }
  if (a.ifId !== undefined) {
    o.put(prefix + `if_id ${altHex(a.ifId)}`);
    o.end();
  }
  if (a.tfcpad !== undefined) {
    o.put(prefix + `tfcpad ${a.tfcpad >>> 0}`);
    o.end();
  }
}

/** XFRM_FLAG_PRINT over a bit list: names in order, leftover bits in hex. */
function flagList(o: Out, bits: number, names: readonly [number, string][]): void {
  let left = bits;
  for (const [bit, name] of names) {
    if (left & bit) {
      left &= ~bit;
      o.put(name + (left ? ' ' : ''));
    }
  }
  if (left) o.put(left.toString(16));
}

const STATE_FLAGS: readonly [number, string][] = enumEntries('xfrm-state-flags').map((e) => [1 << e.value, e.name] as [number, string]);
const EXTRA_FLAGS: readonly [number, string][] = enumEntries('xfrm-sa-extra-flags').map((e) => [1 << e.value, e.name] as [number, string]);
const POLICY_FLAGS: readonly [number, string][] = enumEntries('xfrm-policy-flags').map((e) => [1 << e.value, e.name] as [number, string]);

/** xfrm_state_info_print(). */
function stateInfo(o: Out, s: XfrmState, prefix: string | undefined, title: string | undefined): void {
  const proto = typeof s.proto === 'number' ? s.proto : enumValue('xfrm-proto', s.proto);
  const forceSpi = proto === IPPROTO_ESP || proto === IPPROTO_AH || proto === IPPROTO_COMP;
  idInfo(o, s.src, s.dst, s.proto, s.spi, s.mode, s.reqid, s.family, forceSpi, prefix, title);
  const buf = (prefix ?? '') + '\t';
  o.put(buf);
  o.put(`replay-window ${s.replayWindow} `);
  if (o.ctx.stats > 0) o.put(`seq 0x${String(s.seq >>> 0).padStart(8, '0')} `);
  const flags = flagBits('xfrm-state-flags', s.flags);
  if (o.ctx.stats > 0 || flags) {
    o.put('flag ');
    flagList(o, flags, STATE_FLAGS);
  }
  if (o.ctx.stats > 0 && s.extraFlags !== undefined) {
    o.put('extra_flag ');
    flagList(o, flagBits('xfrm-sa-extra-flags', s.extraFlags), EXTRA_FLAGS);
  }
  if (o.ctx.stats > 0) o.put(` (0x${mask8(flags)})`);
  o.end();
  xfrma(o, s, s.family, buf);
  if (!selectorIsZero(s.selector)) selector(o, s.selector, s.family, buf + 'sel ');
  if (o.ctx.stats > 0) {
    lifetime(o, s.lifetime, s.current, buf);
    o.put(buf + 'stats:');
    o.end();
    o.put(buf + `  replay-window ${s.stats.replayWindow} replay ${s.stats.replay} failed ${s.stats.integrityFailed}`);
    o.end();
  }
  if (s.securityContext !== undefined) o.put(`\tsecurity context ${s.securityContext} ${o.sl}`);
}

/** xfrm_policy_info_print(). */
function policyInfo(o: Out, p: XfrmPolicy, prefix: string | undefined, title: string | undefined): void {
  selector(o, p.selector, o.ctx.family ?? 'unspec', title);
  if (p.securityContext !== undefined) o.put(`\tsecurity context ${p.securityContext} ${o.sl}`);
  const buf = (prefix ?? '') + '\t';
  o.put(buf);
  o.put(p.socket ? 'socket ' : 'dir ');
  o.put(String(p.dir));
  o.put(' ');
  const action = typeof p.action === 'number' ? p.action : enumValue('xfrm-policy-action', p.action);
  if (action === XFRM_POLICY_ALLOW) {
    if (o.ctx.stats > 0) o.put('action allow ');
  } else if (action === XFRM_POLICY_BLOCK) o.put('action block ');
  else o.put(`action ${action} `);
  if (o.ctx.stats) o.put(`index ${p.index >>> 0} `);
  o.put(`priority ${p.priority >>> 0} `);
  if (p.type !== undefined) o.put(`ptype ${typeof p.type === 'string' && p.type !== 'any' ? p.type : String(enumValue('xfrm-policy-type', p.type))} `);
  if (o.ctx.stats > 0) o.put(`share ${shareText(p.share)} `);
  const flags = flagBits('xfrm-policy-flags', p.flags);
  if (o.ctx.stats > 0 || flags) {
    o.put('flag ');
    flagList(o, flags, POLICY_FLAGS);
  }
  if (o.ctx.stats > 0) o.put(` (0x${mask8(flags)})`);
  o.end();
  if (o.ctx.stats > 0) lifetime(o, p.lifetime, p.current, buf);
  xfrma(o, { ...p, templates: p.templates }, p.selector.family, buf);
}

// ---- whole objects -------------------------------------------------------------------

/** A state as `ip xfrm state` prints it (title: "Deleted ", "Updated ", "Expired " in monitor). */
export function stateText(ctx: XfrmPrintContext, s: XfrmState, title = '', hard?: boolean): string {
  const o = new Out(ctx);
  o.put(title);
  stateInfo(o, s, undefined, undefined);
  if (hard !== undefined) {
    o.put(`\thard ${hard ? 1 : 0}`);
    o.end();
  }
  if (ctx.oneline) o.put('\n');
  return o.text;
}

/** A policy as `ip xfrm policy` prints it. */
export function policyText(ctx: XfrmPrintContext, p: XfrmPolicy, title = '', hard?: boolean): string {
  const o = new Out(ctx);
  o.put(title);
  policyInfo(o, p, undefined, undefined);
  if (hard !== undefined) {
    o.put(`\thard ${hard ? 1 : 0}`);
    o.end();
  }
  if (ctx.oneline) o.put('\n');
  return o.text;
}

/** xfrm_acquire_print(). */
export function acquireText(ctx: XfrmPrintContext, a: XfrmAcquire): string {
  const o = new Out(ctx);
  let f = a.selector.family;
  if (f === 'unspec') f = a.policy.selector.family;
  if (f === 'unspec') f = ctx.family ?? 'unspec';
  o.put('acquire ');
  o.put(`proto ${xfrmProtoName(a.proto)} `);
  if (ctx.stats > 0 || a.spi) {
    o.put(`spi 0x${hex8(a.spi)}`);
    if (ctx.stats > 0) o.put(`(${a.spi >>> 0})`);
    o.put(' ');
  }
  o.end();
  selector(o, a.selector, f, '  sel ');
  policyInfo(o, a.policy, '    ', '  policy ');
  if (ctx.stats > 0) o.put(`  seq 0x${String(a.seq >>> 0).padStart(8, '0')} `);
  if (ctx.stats > 0) o.put(`enc-mask ${hex8(a.ealgos)} auth-mask ${hex8(a.aalgos)} comp-mask ${hex8(a.calgos)}`);
  o.end();
  if (ctx.oneline) o.put('\n');
  return o.text;
}

type Obj = Record<string, unknown>;

function aeFlags(flags: readonly (string | number)[]): string {
  const bits = flagBits('xfrm-ae-flags', flags);
  let s = ` (0x${bits.toString(16)}) `;
  if (!bits) return s;
  if (bits & XFRM_AE_CR) s += ' replay update ';
  if (bits & XFRM_AE_CE) s += ' timer expired ';
  if (bits & XFRM_AE_CU) s += ' policy updated ';
  return s;
}

function usersaText(id: Obj, reqid: number): string {
  const f = familyName(id.family as number | undefined);
  const daddr = id.daddr as Uint8Array | undefined;
  const proto = typeof id.proto === 'number' ? id.proto : enumValue('xfrm-proto', id.proto as string);
  return `dst ${rawAddr(daddr, f)}  reqid 0x${(reqid >>> 0).toString(16)} protocol ${upperProtoName(proto)}  SPI 0x${((id.spi as number) >>> 0).toString(16)}`;
}

function rawAddr(b: Uint8Array | undefined, f: 'ipv4' | 'ipv6' | 'unspec'): string {
  if (f === 'unspec' || !b) return '???';
  if (f === 'ipv4') return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  // The shortest form, as inet_ntop gives it.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

/** One event as `ip xfrm monitor` prints it. */
export function eventText(ctx: XfrmPrintContext, e: XfrmEvent, raw: { type: number; flags: number; length: number }): string {
  switch (e.type) {
    case 'newsa':
      return stateText(ctx, e.state);
    case 'updsa':
      return stateText(ctx, e.state, 'Updated ');
    case 'delsa':
      return stateText(ctx, e.state, 'Deleted ');
    case 'expire':
      return stateText(ctx, e.state, 'Expired ', e.hard);
    case 'newpolicy':
      return policyText(ctx, e.policy);
    case 'updpolicy':
      return policyText(ctx, e.policy, 'Updated ');
    case 'delpolicy':
      return policyText(ctx, e.policy, 'Deleted ');
    case 'polexpire':
      return policyText(ctx, e.policy, 'Expired ', e.hard);
    case 'acquire':
      return acquireText(ctx, e.acquire);
    case 'flushsa':
      return `Flushed state proto ${xfrmProtoName(e.proto)}${ctx.oneline ? '\\\n' : '\n'}`;
    case 'flushpolicy': {
      const o = new Out(ctx);
      o.put('Flushed policy ');
      if (e.policyType !== undefined)
        o.put(`ptype ${typeof e.policyType === 'string' && e.policyType !== 'any' ? e.policyType : String(enumValue('xfrm-policy-type', e.policyType))} `);
      o.end();
      if (ctx.oneline) o.put('\n');
      return o.text;
    }
    case 'report': {
      const o = new Out(ctx);
      const f = e.selector.family !== 'unspec' ? e.selector.family : (ctx.family ?? 'unspec');
      o.put('report ');
      o.put(`proto ${xfrmProtoName(e.proto)} `);
      o.end();
      selector(o, e.selector, f, '  sel ');
      xfrma(o, { coaddr: e.coaddr }, f, '  ');
      if (ctx.oneline) o.put('\n');
      return o.text;
    }
    case 'other':
      return otherText(e.name, e.message, raw);
  }
}

function otherText(name: string, m: Obj, raw: { type: number; flags: number; length: number }): string {
  switch (name) {
    // ip prints the title, then finds no XFRMA_SA / XFRMA_POLICY ("Buggy XFRM_MSG_DELSA" on stderr).
    case 'delsa':
    case 'delpolicy':
      return 'Deleted ';
    case 'newae': {
      const id = (m['sa-id'] ?? {}) as Obj;
      const f = familyName(id.family as number | undefined);
      return `Async event ${aeFlags((m.flags as (string | number)[] | undefined) ?? [])}\n\tsrc ${rawAddr(m.saddr as Uint8Array | undefined, f)} ${usersaText(id, (m.reqid as number | undefined) ?? 0)}\n`;
    }
    case 'mapping': {
      const id = (m.id ?? {}) as Obj;
      const f = familyName(id.family as number | undefined);
      return `Mapping change ${rawAddr(m['old-saddr'] as Uint8Array | undefined, f)}:${String(m['old-sport'])} -> ${rawAddr(m['new-saddr'] as Uint8Array | undefined, f)}:${String(m['new-sport'])}\n\t${usersaText(id, (m.reqid as number | undefined) ?? 0)}\n`;
    }
    case 'getdefault':
      return defaultsText({ in: m.in as string, fwd: m.fwd as string, out: m.out as string });
  }
  return `Unknown message: ${String(raw.length).padStart(8, '0')} 0x${hex8(raw.type)} 0x${hex8(raw.flags)}\n`;
}

/** The default actions as `ip xfrm policy getdefault` prints them. */
export function defaultsText(d: { in: string | number; fwd: string | number; out: string | number }): string {
  const t = (v: unknown): string => (v === 'unspec' || v === 'block' || v === 'accept' ? v : 'unknown');
  return `Default policies:\n in:  ${t(d.in)}\n fwd: ${t(d.fwd)}\n out: ${t(d.out)}\n`;
}
