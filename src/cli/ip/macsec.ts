// `nlkit macsec` (ip/ipmacsec.c of iproute2 6.1): the secure channels and
// associations of MACsec devices through the macsec generic netlink family
// (specs/macsec.yaml). Requests are built as do_modify_nl() / do_offload()
// build them; the dump is decoded by the spec's codec and printed as
// process() prints it.
import { NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import type { MessageWriter } from '../../core/writer.js';
import {
  family as MACSEC,
  type RxscStatsAttrs,
  type SaAttrs,
  type SaStatsAttrs,
  type SecyAttrs,
  type SecyStatsAttrs,
  type TxscStatsAttrs,
} from '../../families/generated/macsec.js';
import * as M from '../../families/generated/macsec.constants.js';
import { CommandError } from '../error.js';
import { duparg2, incompleteCommand, invarg, matches, parseLladdr } from './args.js';
import { usage, type IpContext } from './context.js';
import { GenlHandle, emitItem, genlCmd, genlRequest } from './genl.js';
import { getU16, getU32, getU64, getU8, strtoul } from './numbers.js';
import type { Printer } from './printer.js';

/** ipmacsec_usage()'s text (exit 255). */
export const MACSEC_USAGE =
  'Usage: ip macsec add DEV tx sa { 0..3 } [ OPTS ] key ID KEY\n' +
  '       ip macsec set DEV tx sa { 0..3 } [ OPTS ]\n' +
  '       ip macsec del DEV tx sa { 0..3 }\n' +
  '       ip macsec add DEV rx SCI [ on | off ]\n' +
  '       ip macsec set DEV rx SCI [ on | off ]\n' +
  '       ip macsec del DEV rx SCI\n' +
  '       ip macsec add DEV rx SCI sa { 0..3 } [ OPTS ] key ID KEY\n' +
  '       ip macsec set DEV rx SCI sa { 0..3 } [ OPTS ]\n' +
  '       ip macsec del DEV rx SCI sa { 0..3 }\n' +
  '       ip macsec show\n' +
  '       ip macsec show DEV\n' +
  '       ip macsec offload DEV [ off | phy | mac ]\n' +
  'where  OPTS := [ pn <u32> | xpn <u64> ] [ salt SALT ] [ ssci <u32> ] [ on | off ]\n' +
  '       ID   := 128-bit hex string\n' +
  '       KEY  := 128-bit or 256-bit hex string\n' +
  '       SCI  := { sci <u64> | port { 1..2^16-1 } address <lladdr> }\n' +
  '       SALT := 96-bit hex string';

/** MACSEC_KEYID_LEN, MACSEC_MAX_KEY_LEN and MACSEC_SALT_LEN of if_macsec.h. */
const KEYID_LEN = 16;
const MAX_KEY_LEN = 128;
const SALT_LEN = 12;
/** IEEE 802.1AE cipher suite ids (if_macsec.h), with the deprecated id of GCM-AES-128. */
const CIPHER_NAMES = new Map<bigint, string>([
  [0x0080020001000001n, 'GCM-AES-128'],
  [0x0080c20001000001n, 'GCM-AES-128'],
  [0x0080c20001000002n, 'GCM-AES-256'],
  [0x0080c20001000003n, 'GCM-AES-XPN-128'],
  [0x0080c20001000004n, 'GCM-AES-XPN-256'],
]);
/** The XPN suites, whose packet numbers are 64 bits. */
const XPN = new Set([0x0080c20001000003n, 0x0080c20001000004n]);
/** "Not given" for an AN or an on/off state (0xff in ipmacsec.c). */
const UNSET = 0xff;

/** An SA's settings as parse_sa_args() collects them (struct sa_desc). */
export interface SaDesc {
  an: number;
  /** pn or xpn; 0 when not given. */
  pn: bigint;
  xpn: boolean;
  keyId: Uint8Array;
  key: Uint8Array;
  active: number;
  salt?: Uint8Array;
  ssci?: number;
}

/** What one `ip macsec add | set | del | offload` sends. */
export interface MacsecCommand {
  /** add, set (upd), del or offload. */
  op: 'add' | 'set' | 'del' | 'offload';
  cmd: number;
  ifindex: number;
  /** The RX SC (its SCI as the big-endian number ip prints, and its state): rx commands only. */
  rxsc?: { sci: bigint; active: number };
  sa: SaDesc;
  /** The offload mode of `offload`. */
  offload?: number;
}

/** hexstring_a2n(): pairs of hex digits (strtoul base 16 on each pair) into at most `max` bytes; undefined when ip refuses. */
export function hexstringA2n(s: string, max: number): Uint8Array | undefined {
  const str = Buffer.from(s, 'utf8').toString('latin1');
  if (str.length % 2) return undefined;
  const out: number[] = [];
  for (let i = 0; out.length < max && str.length - i > 1; i += 2) {
    const pair = str.slice(i, i + 2);
    const r = strtoul(pair, 16);
    if (r.end !== 2 || r.value > 0xffn) return undefined;
    out.push(Number(r.value));
  }
  return Uint8Array.from(out);
}

const newSa = (): SaDesc => ({ an: UNSET, pn: 0n, xpn: false, keyId: new Uint8Array(KEYID_LEN), key: new Uint8Array(), active: UNSET });

/** A cursor over the command words with NEXT_ARG(). */
class Words {
  i = 0;
  constructor(readonly w: readonly string[]) {}
  get left(): number {
    return this.w.length - this.i;
  }
  get cur(): string {
    return this.w[this.i]!;
  }
  next(): string {
    if (++this.i >= this.w.length) throw incompleteCommand();
    return this.w[this.i]!;
  }
}

const unknownCommand = (w: string): CommandError => usage(`macsec: unknown command "${w}"?\n${MACSEC_USAGE}`);

/** get_sa(): `sa AN`, or false when the next word is not "sa". */
function getSa(a: Words, sa: SaDesc): boolean {
  if (a.left <= 0 || a.cur !== 'sa') return false;
  const v = a.next();
  const an = getU8(v);
  if (an === undefined || an > 3) invarg('expected an { 0..3 }', v);
  sa.an = an;
  a.i++;
  return true;
}

/** parse_sa_args(). */
function parseSaArgs(a: Words, sa: SaDesc): void {
  let activeSet = false;
  let saltSet = false;
  let ssciSet = false;
  while (a.left > 0) {
    const w = a.cur;
    if (w === 'pn') {
      if (sa.pn !== 0n) duparg2('pn', 'pn');
      const v = a.next();
      const n = getU32(v);
      if (n === undefined) invarg('expected pn', v);
      if (n === 0) invarg('expected pn != 0', v);
      // pn32 shares its bytes with the low half of pn64 (a union on a little-endian machine).
      sa.pn = BigInt(n);
    } else if (w === 'xpn') {
      if (sa.pn !== 0n) duparg2('xpn', 'xpn');
      const v = a.next();
      const n = getU64(v);
      if (n === undefined) invarg('expected pn', v);
      if (n === 0n) invarg('expected pn != 0', v);
      sa.pn = n;
      sa.xpn = true;
    } else if (w === 'salt') {
      if (saltSet) duparg2('salt', 'salt');
      const v = a.next();
      const b = hexstringA2n(v, SALT_LEN);
      if (b === undefined) invarg('expected salt', v);
      sa.salt ??= new Uint8Array(SALT_LEN);
      sa.salt.set(b);
      saltSet = true;
    } else if (w === 'ssci') {
      if (ssciSet) duparg2('ssci', 'ssci');
      const v = a.next();
      const n = getU32(v, 16);
      if (n === undefined) invarg('expected ssci', v);
      sa.ssci = n;
      ssciSet = true;
    } else if (w === 'key') {
      const id = a.next();
      const b = hexstringA2n(id, KEYID_LEN);
      if (b === undefined) invarg('expected key id', id);
      // The id is read into the same 16 bytes each time: a shorter second id keeps the first one's tail.
      sa.keyId.set(b);
      const k = a.next();
      const key = hexstringA2n(k, MAX_KEY_LEN);
      if (key === undefined) invarg('expected key', k);
      sa.key = key;
    } else if (w === 'on' || w === 'off') {
      if (activeSet) duparg2('on/off', w);
      sa.active = w === 'on' ? 1 : 0;
      activeSet = true;
    } else throw unknownCommand(w);
    a.i++;
  }
}

/** check_sa_args(): ip's refusals of an SA to add or change (status 1). */
function checkSaArgs(op: MacsecCommand['op'], sa: SaDesc): void {
  if (op === 'add') {
    if (sa.key.length === 0) throw new CommandError('cannot create SA without key', 1);
    if (sa.pn === 0n) throw new CommandError('must specify a packet number != 0', 1);
  } else if (op === 'set' && sa.key.length) throw new CommandError('cannot change key on SA', 1);
}

/** ll_addr_a2n() into the 6 bytes of an SCI's address, failing as ipmacsec.c does (its message, then invarg's). */
function lladdr(v: string): Uint8Array {
  try {
    const b = parseLladdr(v, 6);
    const out = new Uint8Array(6);
    out.set(b.subarray(0, 6));
    return out;
  } catch (err) {
    if (!(err instanceof CommandError)) throw err;
    // ll_addr_a2n() cut the word at its first ':' before it failed.
    const shown = v.includes('.') ? v : v.split(':')[0]!;
    throw usage(`${err.message}\nError: argument "${shown}" is wrong: expected lladdr\n`);
  }
}

/** get_sci_portaddr() with port_only and optional false, as parse_rxsci() calls it; undefined when no SCI was completed. */
function getSci(a: Words): bigint | undefined {
  let p = false;
  let ad = false;
  let s = false;
  let sci = 0n;
  let port = 0;
  let addr: Uint8Array = new Uint8Array(6);
  while (a.left > 0) {
    const w = a.cur;
    if (w === 'sci') {
      if (p) invarg('expected address', w);
      if (ad) invarg('expected port', w);
      const v = a.next();
      const n = getU64(v, 16);
      if (n === undefined) invarg('expected sci', v);
      sci = n;
      s = true;
    } else if (w === 'port') {
      const v = a.next();
      const n = getU16(v);
      if (n === undefined) invarg('expected port', v);
      if (n === 0) invarg('expected port != 0', v);
      port = n;
      p = true;
    } else if (w === 'address') {
      addr = lladdr(a.next());
      ad = true;
    } else invarg('expected sci, port, or address', w);
    a.i++;
    if (s || (p && ad)) break;
  }
  if (!(s || (p && ad))) return undefined;
  if (p && ad) sci = (BigInt('0x' + Buffer.from(addr).toString('hex')) << 16n) | BigInt(port);
  return sci;
}

/** do_modify_txsa() / do_modify_rxsci() / do_offload() after the device: what to send. */
function parseModify(op: 'add' | 'set' | 'del', ifindex: number, a: Words): MacsecCommand {
  if (a.left === 0) throw usage(MACSEC_USAGE);
  const dir = a.cur;
  a.i++;
  const sa = newSa();
  const pick = {
    add: [M.MACSEC_CMD_ADD_RXSC, M.MACSEC_CMD_ADD_TXSA, M.MACSEC_CMD_ADD_RXSA],
    set: [M.MACSEC_CMD_UPD_RXSC, M.MACSEC_CMD_UPD_TXSA, M.MACSEC_CMD_UPD_RXSA],
    del: [M.MACSEC_CMD_DEL_RXSC, M.MACSEC_CMD_DEL_TXSA, M.MACSEC_CMD_DEL_RXSA],
  }[op];
  if (dir === 'tx') {
    if (a.left === 0 || !getSa(a, sa)) throw usage(MACSEC_USAGE);
    if (op !== 'del') {
      parseSaArgs(a, sa);
      checkSaArgs(op, sa);
    }
    return { op, cmd: pick[1]!, ifindex, sa };
  }
  if (dir === 'rx') {
    const sci = a.left === 0 ? undefined : getSci(a);
    if (sci === undefined) throw usage(`expected sci\n${MACSEC_USAGE}`);
    const rxsc = { sci, active: UNSET };
    const saSet = getSa(a, sa);
    if (op !== 'del') {
      if (saSet) {
        parseSaArgs(a, sa);
        checkSaArgs(op, sa);
      } else {
        let activeSet = false;
        for (; a.left > 0; a.i++) {
          const w = a.cur;
          if (w !== 'on' && w !== 'off') throw unknownCommand(w);
          if (activeSet) duparg2('on/off', w);
          rxsc.active = w === 'on' ? 1 : 0;
          activeSet = true;
        }
      }
    }
    return { op, cmd: saSet ? pick[2]! : pick[0]!, ifindex, rxsc, sa };
  }
  throw usage(MACSEC_USAGE);
}

/** What `ip macsec` does: show (with the device's index, 0 for all) or a request to send. */
export type MacsecAction = { show: true; ifindex: number } | { show: false; command: MacsecCommand };

/**
 * do_ipmacsec() after genl_init_handle(): reads the command line, asking
 * `lookup` for device indexes (ll_name_to_index, 0 when there is none) at the
 * point ip does.
 */
export async function parseMacsec(words: readonly string[], lookup: (name: string) => Promise<number>): Promise<MacsecAction> {
  const w = words[0]!;
  const device = async (a: Words): Promise<number> => {
    if (a.left === 0) throw usage(MACSEC_USAGE);
    const index = await lookup(a.cur);
    if (!index) throw new CommandError(`Device "${a.cur}" does not exist.`, 1);
    a.i++;
    return index;
  };
  const a = new Words(words);
  a.i = 1;
  if (matches(w, 'show')) {
    if (a.left === 0) return { show: true, ifindex: 0 };
    const ifindex = await device(a);
    if (a.left === 0) return { show: true, ifindex };
    throw usage(MACSEC_USAGE);
  }
  for (const [word, op] of [
    ['add', 'add'],
    ['set', 'set'],
    ['delete', 'del'],
  ] as const) {
    if (matches(w, word)) {
      const ifindex = await device(a);
      return { show: false, command: parseModify(op, ifindex, a) };
    }
  }
  if (matches(w, 'offload')) {
    const ifindex = await device(a);
    if (a.left === 0) throw usage(MACSEC_USAGE);
    const v = a.cur;
    const offload = M.OFFLOAD_NAMES.findIndex((n) => matches(v, n));
    if (offload < 0) throw usage(`Error: argument of "offload" must be one of ${M.OFFLOAD_NAMES.map((n) => `"${n}", `).join('')}not "${v}"\n${MACSEC_USAGE}`);
    return { show: false, command: { op: 'offload', cmd: M.MACSEC_CMD_UPD_OFFLOAD, ifindex, sa: newSa(), offload } };
  }
  throw usage(`Command "${w}" is unknown, try "ip macsec help".`);
}

/** The 8 bytes of a big-endian u64 (an SCI as the kernel keeps it). */
function be64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v);
  return b;
}

/** do_modify_nl() / do_offload()'s request (the family id resolved). */
export function macsecRequest(familyId: number, c: MacsecCommand): Uint8Array {
  return genlRequest(familyId, c.cmd, MACSEC.spec.version ?? 1, NLM_F_REQUEST, (w: MessageWriter) => {
    w.putU32(M.MACSEC_ATTR_IFINDEX, c.ifindex);
    if (c.op === 'offload') {
      const n = w.nestStart(M.MACSEC_ATTR_OFFLOAD, false);
      w.putU8(M.MACSEC_OFFLOAD_ATTR_TYPE, c.offload!);
      w.nestEnd(n);
      return;
    }
    const del = c.op === 'del';
    if (c.rxsc) {
      const n = w.nestStart(M.MACSEC_ATTR_RXSC_CONFIG, false);
      // addattr64() of the SCI as it sits in memory: network order.
      w.putBinary(M.MACSEC_RXSC_ATTR_SCI, be64(c.rxsc.sci));
      if (!del && c.rxsc.active !== UNSET) w.putU8(M.MACSEC_RXSC_ATTR_ACTIVE, c.rxsc.active);
      w.nestEnd(n);
    }
    const sa = c.sa;
    if (sa.an === UNSET) return;
    const n = w.nestStart(M.MACSEC_ATTR_SA_CONFIG, false);
    w.putU8(M.MACSEC_SA_ATTR_AN, sa.an);
    if (!del) {
      if (sa.xpn) {
        if (sa.pn) w.putU64(M.MACSEC_SA_ATTR_PN, sa.pn);
        if (sa.salt) w.putBinary(M.MACSEC_SA_ATTR_SALT, sa.salt);
        if (sa.ssci !== undefined) w.putU32(M.MACSEC_SA_ATTR_SSCI, sa.ssci, true);
      } else if (sa.pn) w.putU32(M.MACSEC_SA_ATTR_PN, Number(sa.pn & 0xffffffffn));
      if (sa.key.length) {
        w.putBinary(M.MACSEC_SA_ATTR_KEYID, sa.keyId);
        w.putBinary(M.MACSEC_SA_ATTR_KEY, sa.key);
      }
      if (sa.active !== UNSET) w.putU8(M.MACSEC_SA_ATTR_ACTIVE, sa.active);
    }
    w.nestEnd(n);
  });
}

/** do_dump()'s request. */
export function macsecShowRequest(familyId: number): Uint8Array {
  return genlRequest(familyId, M.MACSEC_CMD_GET_TXSC, MACSEC.spec.version ?? 1, NLM_F_REQUEST | NLM_F_DUMP);
}

/** A dump message ip cannot print: process() returned -1 ("Dump terminated", status 1, after what it printed). */
export class MacsecDumpError extends CommandError {}

type Stats = SecyStatsAttrs | TxscStatsAttrs | RxscStatsAttrs | SaStatsAttrs;
/** The counters ip names (the spec's names of each set, in ip's words), in attribute order. */
const SECY_STATS: [keyof SecyStatsAttrs, string][] = [
  ['out-pkts-untagged', 'OutPktsUntagged'],
  ['in-pkts-untagged', 'InPktsUntagged'],
  ['out-pkts-too-long', 'OutPktsTooLong'],
  ['in-pkts-no-tag', 'InPktsNoTag'],
  ['in-pkts-bad-tag', 'InPktsBadTag'],
  ['in-pkts-unknown-sci', 'InPktsUnknownSCI'],
  ['in-pkts-no-sci', 'InPktsNoSCI'],
  ['in-pkts-overrun', 'InPktsOverrun'],
];
const TXSC_STATS: [keyof TxscStatsAttrs, string][] = [
  ['out-pkts-protected', 'OutPktsProtected'],
  ['out-pkts-encrypted', 'OutPktsEncrypted'],
  ['out-octets-protected', 'OutOctetsProtected'],
  ['out-octets-encrypted', 'OutOctetsEncrypted'],
];
const RXSC_STATS: [keyof RxscStatsAttrs, string][] = [
  ['in-octets-validated', 'InOctetsValidated'],
  ['in-octets-decrypted', 'InOctetsDecrypted'],
  ['in-pkts-unchecked', 'InPktsUnchecked'],
  ['in-pkts-delayed', 'InPktsDelayed'],
  ['in-pkts-ok', 'InPktsOK'],
  ['in-pkts-invalid', 'InPktsInvalid'],
  ['in-pkts-late', 'InPktsLate'],
  ['in-pkts-not-valid', 'InPktsNotValid'],
  ['in-pkts-not-using-sa', 'InPktsNotUsingSA'],
  ['in-pkts-unused-sa', 'InPktsUnusedSA'],
];
const RXSA_STATS: [keyof SaStatsAttrs, string][] = [
  ['in-pkts-ok', 'InPktsOK'],
  ['in-pkts-invalid', 'InPktsInvalid'],
  ['in-pkts-not-valid', 'InPktsNotValid'],
  ['in-pkts-not-using-sa', 'InPktsNotUsingSA'],
  ['in-pkts-unused-sa', 'InPktsUnusedSA'],
];
const TXSA_STATS: [keyof SaStatsAttrs, string][] = [
  ['out-pkts-protected', 'OutPktsProtected'],
  ['out-pkts-encrypted', 'OutPktsEncrypted'],
];

/** print_stats(): JSON members, or print_fp_stats()'s two lines (names, then values right-aligned under them, "-" when absent). */
function printStats<S extends Stats>(ctx: IpContext, p: Printer, prefix: string, names: [keyof S, string][], stats: S | undefined): void {
  if (!stats || !ctx.options.stats) return;
  if (p.json) {
    for (const [k, name] of names) {
      const v = stats[k] as number | bigint | undefined;
      if (v !== undefined) p.jsonOnly(name, BigInt(v));
    }
    return;
  }
  let head = `${prefix}stats:`;
  let vals = `\n${prefix}      `;
  for (const [k, name] of names) {
    head += ' ' + name;
    const v = stats[k] as number | bigint | undefined;
    vals += (v === undefined ? '-' : v.toString()).padStart(name.length + 1);
  }
  p.fp(head + vals + '\n');
}

/** print_flag(): JSON boolean, text "NAME on|off ". */
function printFlag(p: Printer, name: string, v: number | undefined): void {
  if (v === undefined) return;
  if (p.json) p.jsonOnly(name, v !== 0);
  else p.fp(`${name} ${v ? 'on' : 'off'} `);
}

/** print_0xhex(): "%#llx" in JSON, the text format otherwise. */
function hex(p: Printer, key: string, text: string, v: bigint): void {
  if (p.json) p.jsonOnly(key, v ? '0x' + v.toString(16) : '0');
  else p.fp(text);
}

/** The SA lines of print_tx_sc() / print_rx_sc(). */
function printSaList(ctx: IpContext, p: Printer, prefix: string, list: Array<Record<number, SaAttrs>> | undefined, xpn: boolean, names: [keyof SaStatsAttrs, string][]): void {
  p.openArray('sa_list');
  for (const item of list ?? []) {
    for (const sa of Object.values(item)) {
      p.open(null);
      const state = sa.active ?? 0;
      p.fp(prefix + prefix);
      p.any('an', '%u:', sa.an ?? 0);
      // print_uint() takes an unsigned int: the packet number's low 32 bits.
      p.any('pn', ' PN %u,', Number((sa.pn ?? 0n) & 0xffffffffn));
      if (xpn) {
        const ssci = sa.ssci ?? 0;
        hex(p, 'ssci', `SSCI ${ssci.toString(16).padStart(8, '0')}`, BigInt(ssci));
      }
      p.jsonOnly('active', state !== 0);
      p.fp(` state ${state ? 'on' : 'off'},`);
      // hexstring_n2a() into SPRINT_BUF's 64 bytes: at most 31 bytes are shown.
      p.any('key', ' key %s\n', Buffer.from((sa.keyid ?? new Uint8Array()).subarray(0, 31)).toString('hex'));
      printStats(ctx, p, prefix, names, sa.stats);
      p.close();
    }
  }
  p.close();
}

/** print_attrs(): the SecY's settings. */
function printSecy(ctx: IpContext, p: Printer, s: SecyAttrs): void {
  printFlag(p, 'protect', s.protect);
  if (s.validate !== undefined) p.any('validate', 'validate %s ', typeof s.validate === 'string' ? s.validate : '(unknown)');
  // ip reads these two flags at MACSEC_RXSC_ATTR_ACTIVE and MACSEC_SA_ATTR_ACTIVE of the SecY's table: both are encoding-sa's slot.
  printFlag(p, 'sc', s['encoding-sa']);
  printFlag(p, 'sa', s['encoding-sa']);
  printFlag(p, 'encrypt', s.encrypt);
  printFlag(p, 'send_sci', s['inc-sci']);
  printFlag(p, 'end_station', s.es);
  printFlag(p, 'scb', s.scb);
  printFlag(p, 'replay', s.replay);
  if (s.window !== undefined) p.any('window', 'window %u ', s.window);
  if (s['cipher-suite'] !== undefined) {
    p.fp(ctx.options.oneline ? '\\' : '\n');
    p.any('cipher_suite', '    cipher suite: %s,', CIPHER_NAMES.get(s['cipher-suite']) ?? '(unknown)');
  }
  if (s['icv-len'] !== undefined) p.any('icv_length', ' using ICV length %u\n', s['icv-len']);
}

/** The SecY attributes validate_secy_dump() requires. */
const SECY_REQUIRED = ['sci', 'encoding-sa', 'cipher-suite', 'icv-len', 'protect', 'replay', 'oper', 'validate', 'encrypt', 'inc-sci', 'es', 'scb'] as const;

/**
 * process(): one dump message into `p`, unless it is for another device than
 * `ifindex` (when not 0) or not a get-txsc message (false: nothing to print).
 * Throws MacsecDumpError where ip's process() fails.
 */
export function printMacsec(ctx: IpContext, p: Printer, m: MessageView, familyId: number, ifindex = 0): boolean {
  if (m.type !== familyId || m.length < 20) throw new MacsecDumpError('Dump terminated', 1);
  if (genlCmd(m) !== M.MACSEC_CMD_GET_TXSC) return false;
  const o = MACSEC.ops['get-txsc'].decodeReply(m);
  const incomplete = (): MacsecDumpError => new MacsecDumpError('incomplete dump message\nDump terminated', 1);
  if (o.ifindex === undefined || !o.secy || !o['txsa-list'] || !o['rxsc-list'] || !o['txsc-stats'] || !o['secy-stats']) throw incomplete();
  const secy = o.secy;
  if (SECY_REQUIRED.some((k) => secy[k] === undefined)) throw incomplete();
  if (ifindex && o.ifindex !== ifindex) return false;
  p.any('ifindex', '%u: ', o.ifindex);
  p.any('ifname', '%s: ', ctx.indexName(o.ifindex));
  printSecy(ctx, p, secy);
  const xpn = XPN.has(secy['cipher-suite']!);
  const sci = secy.sci!;
  p.fp('    ');
  hex(p, 'sci', `TXSC: ${sci.toString(16).padStart(16, '0')}`, sci);
  p.any('encoding_sa', ' on SA %u\n', secy['encoding-sa']!);
  printStats(ctx, p, '    ', SECY_STATS, o['secy-stats']);
  printStats(ctx, p, '    ', TXSC_STATS, o['txsc-stats']);
  printSaList(ctx, p, '    ', o['txsa-list'], xpn, TXSA_STATS);
  p.openArray('rx_sc');
  for (const item of o['rxsc-list']) {
    for (const rx of Object.values(item)) {
      p.open(null);
      const rsci = rx.sci ?? 0n;
      const active = rx.active ?? 0;
      p.fp('    ');
      hex(p, 'sci', `RXSC: ${rsci.toString(16).padStart(16, '0')},`, rsci);
      p.jsonOnly('active', active !== 0);
      p.fp(` state ${active ? 'on' : 'off'}\n`);
      printStats(ctx, p, '    ', RXSC_STATS, rx.stats);
      printSaList(ctx, p, '    ', rx['sa-list'], xpn, RXSA_STATS);
      p.close();
    }
  }
  p.close();
  if (o.offload) {
    const t = o.offload.type ?? 0;
    p.any('offload', '    offload: %s ', typeof t === 'string' ? t : '(unknown)');
    p.fp(ctx.options.oneline ? '\\' : '\n');
  }
  return true;
}

/** Runs `nlkit macsec ...` (do_ipmacsec). */
export async function runMacsec(ctx: IpContext, argv: string[]): Promise<number> {
  if (argv.length < 1 || matches(argv[0]!, 'help')) throw usage(MACSEC_USAGE);
  const genl = await GenlHandle.open(ctx, MACSEC.spec.name);
  try {
    const action = await parseMacsec(argv, (name) => ctx.nameIndex(name));
    if (action.show) {
      await ctx.loadLinks();
      for (const m of await genl.dump(macsecShowRequest(genl.id))) {
        const p = ctx.printer();
        try {
          if (!printMacsec(ctx, p, m, genl.id, action.ifindex)) continue;
        } catch (err) {
          ctx.listEnd();
          throw err;
        }
        emitItem(ctx, p);
      }
      ctx.listEnd();
    } else await genl.talk(macsecRequest(genl.id, action.command), 2);
  } finally {
    genl.close();
  }
  return 0;
}
