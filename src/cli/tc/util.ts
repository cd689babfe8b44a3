// What tc's objects share (tc/tc_util.c, tc/tc_core.c and lib/utils_math.c
// of iproute2 6.1): handles, rates, sizes and times as tc reads and prints
// them, the clock conversions tc_core.c derives from /proc/net/psched, the
// statistics printer (print_tcstats_attr), and the ethertype names.
import { readFileSync } from 'node:fs';
import type { Printer } from '../ip/printer.js';
import { getInteger, getU16 } from '../ip/numbers.js';
import { matches } from '../ip/args.js';
import {
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_NAMES,
  TC_ACT_OK,
  TC_ACT_PIPE,
  TC_ACT_RECLASSIFY,
  TC_ACT_SHOT,
  TC_ACT_STOLEN,
  TC_ACT_TRAP,
  TC_H_ROOT,
  TC_LINKLAYER_ATM,
  TC_LINKLAYER_ETHERNET,
} from '../../families/generated/tc.constants.js';

/** TIME_UNITS_PER_SEC (include/utils.h): tc's times are microseconds. */
export const TIME_UNITS_PER_SEC = 1000000;

/** tc_core_init()'s clock: ticks per microsecond, and get_hz(). */
export interface TcClock {
  tickInUsec: number;
  clockFactor: number;
  hz: number;
  /** USER_HZ (sysconf(_SC_CLK_TCK)): the unit of action times the kernel reports. */
  userHz: number;
}

let clock: TcClock | undefined;

/** Reads /proc/net/psched as tc_core_init() and __get_hz() do (once). */
export function tcClock(): TcClock {
  if (clock) return clock;
  let t2us = 1;
  let us2t = 1;
  let res = TIME_UNITS_PER_SEC;
  let hz = 100;
  try {
    const words = readFileSync('/proc/net/psched', 'utf8').trim().split(/\s+/);
    [t2us, us2t, res] = words.slice(0, 3).map((w) => parseInt(w, 16)) as [number, number, number];
    const nom = parseInt(words[2] ?? '', 16);
    const denom = parseInt(words[3] ?? '', 16);
    if (nom === 1000000 && denom) hz = denom;
    // The kernel advertises a tick multiplier of 1000 for nanosecond clocks, which is really 1.
    if (res === 1000000000) t2us = us2t;
  } catch {
    // tc goes on with its defaults when the file is missing.
  }
  const clockFactor = res / TIME_UNITS_PER_SEC;
  clock = { tickInUsec: (t2us / us2t) * clockFactor, clockFactor, hz: Number(process.env.HZ) || hz, userHz: 100 };
  return clock;
}

/** C's conversion of a double to unsigned int (truncation, modulo 2^32; what C leaves undefined, infinities and NaN, is 0 here). */
function u32(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return Number(BigInt.asUintN(32, BigInt(Math.trunc(x))));
}

/**
 * Whether a struct the codec decoded had all its bytes (members past the end
 * of a short payload are undefined): tc checks RTA_PAYLOAD against the
 * struct's size before reading one, and prints nothing of a short one.
 */
export function whole<T>(v: T): v is NonNullable<T> {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return false;
  for (const [k, m] of Object.entries(v)) {
    if (k === '__rest') continue;
    if (m === undefined) return false;
    if (typeof m === 'object' && m !== null && !(m instanceof Uint8Array) && !whole(m)) return false;
  }
  return true;
}

/** tc_core_time2tick(). */
export function time2tick(time: number): number {
  return u32(u32(time) * tcClock().tickInUsec);
}

/** tc_core_tick2time(). */
export function tick2time(tick: number): number {
  return u32(tick / tcClock().tickInUsec);
}

/** tc_calc_xmittime(): microseconds (in ticks) to send `size` bytes at `rate` bytes/s. */
export function calcXmittime(rate: bigint | number, size: number): number {
  return time2tick(TIME_UNITS_PER_SEC * (size / Number(rate)));
}

/** tc_calc_xmitsize(): bytes sent at `rate` in `ticks` (a double, as tc keeps it). */
export function calcXmitsize(rate: bigint | number, ticks: number): number {
  return (Number(rate) * tick2time(ticks)) / TIME_UNITS_PER_SEC;
}

/** get_linklayer(): ethernet, or atm / adsl (TC_LINKLAYER_*), by prefix; undefined otherwise. */
export function getLinklayer(s: string): number | undefined {
  if (matches(s, 'ethernet')) return TC_LINKLAYER_ETHERNET;
  if (matches(s, 'atm') || matches(s, 'adsl')) return TC_LINKLAYER_ATM;
  return undefined;
}

// ATM_CELL_PAYLOAD and ATM_CELL_SIZE (include/uapi/linux/atm.h).
const ATM_CELL_PAYLOAD = 48;
const ATM_CELL_SIZE = 53;

/** tc_calc_rtable(): the 256-slot rate table and the cell_log it used. */
export function calcRtable(rate: bigint | number, mpu: number, cellLog: number, mtu: number, linklayer = TC_LINKLAYER_ETHERNET): { table: Uint8Array; cellLog: number } {
  if (mtu === 0) mtu = 2047;
  if (cellLog < 0) {
    cellLog = 0;
    while (mtu >> cellLog > 255) cellLog++;
  }
  const table = new Uint8Array(1024);
  const view = new DataView(table.buffer);
  for (let i = 0; i < 256; i++) {
    // tc_adjust_size(): the minimum packet unit, then whole ATM cells on atm links.
    let sz = Math.max((i + 1) << cellLog, mpu);
    if (linklayer === TC_LINKLAYER_ATM) sz = Math.ceil(sz / ATM_CELL_PAYLOAD) * ATM_CELL_SIZE;
    view.setUint32(i * 4, calcXmittime(rate, sz), true);
  }
  return { table, cellLog };
}

const RATE_SUFFIXES: readonly (readonly [string, number])[] = [
  ['bit', 1],
  ['Kibit', 1024],
  ['kbit', 1000],
  ['mibit', 1024 * 1024],
  ['mbit', 1000000],
  ['gibit', 1024 * 1024 * 1024],
  ['gbit', 1000000000],
  ['tibit', 1024 * 1024 * 1024 * 1024],
  ['tbit', 1000000000000],
  ['Bps', 8],
  ['KiBps', 8 * 1024],
  ['KBps', 8000],
  ['MiBps', 8 * 1024 * 1024],
  ['MBps', 8000000],
  ['GiBps', 8 * 1024 * 1024 * 1024],
  ['GBps', 8000000000],
  ['TiBps', 8 * 1024 * 1024 * 1024 * 1024],
  ['TBps', 8000000000000],
];

/** strtod()'s longest decimal prefix: the number and what follows it (undefined when there is none). */
function strtod(s: string): { value: number; rest: string } | undefined {
  const m = /^\s*[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)/i.exec(s);
  if (!m) return undefined;
  return { value: Number(m[0]), rest: s.slice(m[0].length) };
}

/** get_rate64(): bytes per second, or undefined. */
export function getRate64(s: string): bigint | undefined {
  const d = strtod(s);
  if (!d) return undefined;
  let bps = d.value;
  if (d.rest !== '') {
    const suffix = RATE_SUFFIXES.find(([name]) => name.toLowerCase() === d.rest.toLowerCase());
    if (!suffix) return undefined;
    bps *= suffix[1];
  }
  return BigInt(Math.trunc(bps / 8));
}

/** get_size(): bytes, or undefined (also when it overflows 32 bits). */
export function getSize(s: string): number | undefined {
  const d = strtod(s);
  if (!d) return undefined;
  let sz = d.value;
  const p = d.rest.toLowerCase();
  if (p !== '') {
    if (p === 'kb' || p === 'k') sz *= 1024;
    else if (p === 'gb' || p === 'g') sz *= 1024 * 1024 * 1024;
    else if (p === 'gbit') sz *= (1024 * 1024 * 1024) / 8;
    else if (p === 'mb' || p === 'm') sz *= 1024 * 1024;
    else if (p === 'mbit') sz *= (1024 * 1024) / 8;
    else if (p === 'kbit') sz *= 1024 / 8;
    else if (p !== 'b') return undefined;
  }
  const size = u32(sz);
  if (size !== Math.floor(sz)) return undefined;
  return size;
}

/** get_time(): microseconds (s, ms, us and their long forms), or undefined. */
export function getTime(s: string): number | undefined {
  const d = strtod(s);
  if (!d) return undefined;
  let t = d.value;
  const p = d.rest.toLowerCase();
  if (p !== '') {
    if (p === 's' || p === 'sec' || p === 'secs') t *= TIME_UNITS_PER_SEC;
    else if (p === 'ms' || p === 'msec' || p === 'msecs') t *= TIME_UNITS_PER_SEC / 1000;
    else if (p === 'us' || p === 'usec' || p === 'usecs') t *= 1;
    else return undefined;
  }
  return u32(t);
}

/** get_size_and_cell(): a size with an optional /CELL (a power of two), or undefined. */
export function getSizeAndCell(s: string): { size: number; cellLog: number | undefined } | undefined {
  const slash = s.indexOf('/');
  const size = getSize(slash >= 0 ? s.slice(0, slash) : s);
  if (size === undefined) return undefined;
  if (slash < 0) return { size, cellLog: undefined };
  const cell = getInteger(s.slice(slash + 1), 0);
  if (cell === undefined) return undefined;
  for (let i = 0; i < 32; i++) if (2 ** i === cell) return { size, cellLog: i };
  return undefined;
}

/** sprint_rate() (print_color_rate): bytes/s as tc prints bits/s; with -iec in powers of 1024 (Kibit ...). */
export function sprintRate(rate: bigint | number, iec = false): string {
  const kilo = iec ? 1024n : 1000n;
  const units = ['', 'K', 'M', 'G', 'T'];
  let r = BigInt(rate) * 8n;
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (r < kilo) break;
    if (r % kilo !== 0n && r < 1000n * kilo) break;
    r /= kilo;
  }
  return `${r}${units[i]}${i > 0 && iec ? 'i' : ''}bit`;
}

/** C's %g for the small integral values sprint_size prints. */
function fmtG(x: number): string {
  if (Math.abs(x) < 1e6) return String(x);
  const s = x.toExponential(5).replace(/\.?0+e/, 'e');
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** sprint_size(): bytes as tc prints them (Mb, Kb when close to a multiple, else b). */
export function sprintSize(size: number): string {
  const sz = u32(size);
  const kilo = 1024;
  const mega = kilo * kilo;
  if (sz >= mega && Math.abs(mega * Math.round(sz / mega) - sz) < 1024) return `${fmtG(rint(sz / mega))}Mb`;
  if (sz >= kilo && Math.abs(kilo * rint(sz / kilo) - sz) < 16) return `${fmtG(rint(sz / kilo))}Kb`;
  return `${sz}b`;
}

/** rint(): to the nearest integer, halves to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** C's %.3g. */
function fmt3g(x: number): string {
  const p = x.toPrecision(3);
  if (p.includes('e')) return p.replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
  return p.includes('.') ? p.replace(/\.?0+$/, '') : p;
}

/** sprint_time(): microseconds as tc prints them (s, ms, us). */
export function sprintTime(time: number): string {
  const t = u32(time);
  if (t >= TIME_UNITS_PER_SEC) return `${fmt3g(t / TIME_UNITS_PER_SEC)}s`;
  if (t >= TIME_UNITS_PER_SEC / 1000) return `${fmt3g(t / (TIME_UNITS_PER_SEC / 1000))}ms`;
  return `${t}us`;
}

/** print_size(): text through sprint_size, JSON the number. */
export function printSize(p: Printer, key: string | null, fmt: string, size: number): void {
  if (p.json) p.jsonOnly(key, u32(size));
  else p.fpf(fmt, sprintSize(size));
}

/** print_tc_classid(). */
export function classidText(h: number): string {
  if (h === TC_H_ROOT) return 'root';
  if (h === 0) return 'none';
  const major = h >>> 16;
  const minor = h & 0xffff;
  if (major === 0) return `:${minor.toString(16)}`;
  if (minor === 0) return `${major.toString(16)}:`;
  return `${major.toString(16)}:${minor.toString(16)}`;
}

/** get_tc_classid(): a class id, or undefined. */
export function getTcClassid(s: string): number | undefined {
  if (s === 'root') return TC_H_ROOT;
  if (s === 'none') return 0;
  const m = /^([0-9a-f]*)(?::([0-9a-f]*))?$/i.exec(s);
  if (!m || (m[1] === '' && m[2] === undefined)) return undefined;
  const maj = m[1] === '' ? 0 : parseInt(m[1]!, 16);
  if (m[2] === undefined) return maj > 0xffffffff ? undefined : maj;
  if (maj >= 1 << 16) return undefined;
  const min = m[2] === '' ? 0 : parseInt(m[2], 16);
  if (min >= 1 << 16) return undefined;
  return ((maj << 16) | min) >>> 0;
}

/** get_qdisc_handle(): a qdisc handle ('1:' or '1'), or undefined. */
export function getQdiscHandle(s: string): number | undefined {
  if (s === 'none') return 0;
  const m = /^([0-9a-f]+)(:.*)?$/i.exec(s);
  if (!m) return undefined;
  const maj = parseInt(m[1]!, 16);
  if (maj >= 1 << 16) return undefined;
  return (maj << 16) >>> 0;
}

/** ll_proto_n2a(): an ethertype (host order) as tc names it. */
export function protoName(id: number): string {
  if (id === ETH_P_8021Q) return '802.1Q';
  if (id === ETH_P_8021AD) return '802.1ad';
  return ETH_P_NAMES[id] ?? `[${id}]`;
}

/** ll_proto_a2n(): a name or a number as an ethertype (host order), or undefined. */
export function protoNumber(s: string): number | undefined {
  const l = s.toLowerCase();
  if (l === '802.1q') return ETH_P_8021Q;
  if (l === '802.1ad') return ETH_P_8021AD;
  for (const [v, name] of Object.entries(ETH_P_NAMES)) if (name === l && !/^8021/.test(name)) return Number(v);
  return getU16(s, 0);
}

/** action_n2a(): a verdict as tc names it. */
export function actionName(action: number): string {
  switch (action) {
    case -1:
      return 'continue';
    case TC_ACT_OK:
      return 'pass';
    case TC_ACT_SHOT:
      return 'drop';
    case TC_ACT_RECLASSIFY:
      return 'reclassify';
    case TC_ACT_PIPE:
      return 'pipe';
    case TC_ACT_STOLEN:
      return 'stolen';
    case TC_ACT_TRAP:
      return 'trap';
    default:
      return String(action);
  }
}

/** Statistics as the generated codec decodes TCA_STATS2's nest. */
export interface Stats2 {
  basic?: { bytes?: bigint | undefined; packets?: number | undefined } | undefined;
  queue?: { qlen?: number | undefined; backlog?: number | undefined; drops?: number | undefined; requeues?: number | undefined; overlimits?: number | undefined } | undefined;
  'rate-est'?: { bps?: number | undefined; pps?: number | undefined } | undefined;
  'rate-est64'?: { bps?: bigint | undefined; pps?: bigint | undefined } | undefined;
  pkt64?: bigint | undefined;
}

/** print_tcstats2_attr(). */
export function printStats2(p: Printer, s: Stats2, prefix: string, iec = false): void {
  if (s.basic) {
    p.fp(prefix);
    p.any('bytes', 'Sent %s bytes', s.basic.bytes ?? 0n);
    if (s.pkt64) p.any('packets', ' %s pkt', s.pkt64);
    else p.any('packets', ' %s pkt', s.basic.packets ?? 0);
  }
  const q = s.queue;
  if (q) {
    p.any('drops', ' (dropped %s', q.drops ?? 0);
    p.any('overlimits', ', overlimits %s', q.overlimits ?? 0);
    p.any('requeues', ' requeues %s) ', q.requeues ?? 0);
  }
  const est = s['rate-est64'] ?? s['rate-est'];
  if (est) {
    p.fp(`\n${prefix}`);
    p.jsonOnly('rate', est.bps ?? 0);
    p.fpf('rate %s', sprintRate(est.bps ?? 0, iec));
    p.any('pps', ' %spps', est.pps ?? 0);
  }
  if (q) {
    if (!s['rate-est']) p.fp('\n');
    p.fp(prefix);
    printSize(p, 'backlog', 'backlog %s', q.backlog ?? 0);
    p.any('qlen', ' %sp', q.qlen ?? 0);
    p.fpf(' requeues %s', q.requeues ?? 0);
  }
}
