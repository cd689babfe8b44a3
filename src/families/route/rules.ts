// Policy routing rules (RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE).
import { NLM_F_CREATE, NLM_F_EXCL } from '../../core/constants.js';
import { checkBool, checkIfname, checkInteger, checkU32 } from '../../core/check.js';
import { PROTOCOLS, checkName, checkObject, checkPrefix, checkTable, deepEqual, familyName, familyNumber, formatPrefix, type Family, type Obj, keepUnknown } from './convert.js';
import type { UnknownAttribute } from '../../schema/runtime.js';
import { FIB_RULE_INVERT, FRA_TABLE } from './constants.js';

const ACTIONS = ['to-tbl', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit'] as const;
/** Rule actions (FR_ACT_* in include/uapi/linux/fib_rules.h). */
export type RuleAction = (typeof ACTIONS)[number];

/** A routing rule. */
export interface Rule {
  /** 'inet' or 'inet6' (the AF_* number for others). */
  family: Family | number;
  /** Preference; 0 when the kernel leaves FRA_PRIORITY out (it does for 0). */
  priority: number;
  /** Table looked up ('to-tbl' rules). */
  table: number;
  /** What a match does: 'to-tbl', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit' (the number when unnamed). */
  action: string | number;
  /** Source prefix ('all' when the rule matches any source). */
  src: string;
  /** Destination prefix ('all' when the rule matches any destination). */
  dst: string;
  /** TOS to match; 0 matches any. */
  tos: number;
  /** The rule matches what it does not select (`ip rule add not ...`). */
  invert: boolean;
  /** Input interface name to match. */
  iifname?: string;
  /** Output interface name to match. */
  oifname?: string;
  /** Firewall mark to match. */
  fwmark?: number;
  /** Mask applied to the firewall mark before matching. */
  fwmask?: number;
  /** Priority of the rule a 'goto' rule jumps to. */
  goto?: number;
  /** Reject lookup results whose prefix is this long or shorter (FRA_SUPPRESS_PREFIXLEN). */
  suppressPrefixlen?: number;
  /** Reject lookup results whose device is in this group (FRA_SUPPRESS_IFGROUP). */
  suppressIfgroup?: number;
  /** Who added the rule: 'kernel', 'boot', 'static' ... or the number. */
  protocol?: string | number;
  /** 1 when the rule looks up the table of the packet's VRF (FRA_L3MDEV). */
  l3mdev?: number;
  /** User id range to match, both ends included. */
  uidRange?: {
    /** First value of the range. */
    start: number;
    /** Last value of the range (included). */
    end: number;
  };
  /** IP protocol number to match, e.g. 6 for TCP. */
  ipProto?: number;
  /** Source port range to match, both ends included. */
  sportRange?: {
    /** First value of the range. */
    start: number;
    /** Last value of the range (included). */
    end: number;
  };
  /** Destination port range to match, both ends included. */
  dportRange?: {
    /** First value of the range. */
    start: number;
    /** Last value of the range (included). */
    end: number;
  };
  /** Attributes the spec does not describe, kept as the kernel sent them (type and bytes; FRA_TABLE is read into `table`). */
  unknown?: UnknownAttribute[];
}

/** A rule to add or delete. */
export interface RuleInput {
  /** 'inet' or 'inet6'; taken from src or dst when absent, else 'inet'. */
  family?: Family;
  /** Preference; the kernel picks one when absent. */
  priority?: number;
  /** Table by name ('main' ...) or number, for 'to-tbl' rules. */
  table?: string | number;
  /** What a match does; 'goto' when `goto` is given, else 'to-tbl'. */
  action?: RuleAction;
  /** Source prefix to match; 'all' or absent matches any. */
  src?: string;
  /** Destination prefix to match; 'all' or absent matches any. */
  dst?: string;
  /** TOS to match (0-255). */
  tos?: number;
  /** Match what the selectors do not select (`ip rule add not ...`). */
  invert?: boolean;
  /** Input interface name to match. */
  iifname?: string;
  /** Output interface name to match. */
  oifname?: string;
  /** Firewall mark to match. */
  fwmark?: number;
  /** Mask applied to the firewall mark before matching. */
  fwmask?: number;
  /** Priority of the rule to jump to. */
  goto?: number;
  /** Reject lookup results whose prefix is this long or shorter (0-128). */
  suppressPrefixlen?: number;
  /** Who adds the rule (name or number). */
  protocol?: string | number;
}

/** Filters of a rule listing (applied by the client: the kernel only filters by family). */
export interface RuleFilter {
  /** Only rules of this family. */
  family?: Family;
  /** Only rules that look up this table (name or number). */
  table?: string | number;
  /** Only rules with this priority. */
  priority?: number;
}

// FRA_TABLE: the spec names it like the header's table byte, which shadows it, so it stays among the unknown attributes.
function fraTable(m: Obj): number | undefined {
  const unknown = m.__unknown as Array<{ type: number; data: Uint8Array }> | undefined;
  const a = unknown?.find((u) => u.type === FRA_TABLE && u.data.length >= 4);
  return a ? new DataView(a.data.buffer, a.data.byteOffset, 4).getUint32(0, true) : undefined;
}

const hexNumber = (x: unknown): number | undefined => (typeof x === 'string' ? Number(x) : typeof x === 'number' ? x : undefined);

/** A Rule from a decoded rt-rule message. */
export function decodeRule(m: Obj): Rule {
  const fam = m.family as number;
  const r: Rule = {
    family: familyName(fam),
    table: fraTable(m) ?? (m.table as number),
    action: m.action as string | number,
    src: formatPrefix(m.src as string | undefined, m['src-len'] as number, fam),
    dst: formatPrefix(m.dst as string | undefined, m['dst-len'] as number, fam),
    tos: m.tos as number,
    invert: ((m.flags as number) & FIB_RULE_INVERT) !== 0,
    priority: (m.priority as number | undefined) ?? 0,
  };
  if (r.src === 'default') r.src = 'all';
  if (r.dst === 'default') r.dst = 'all';
  if (typeof m.iifname === 'string') r.iifname = m.iifname;
  if (typeof m.oifname === 'string') r.oifname = m.oifname;
  const fwmark = hexNumber(m.fwmark);
  if (fwmark !== undefined) r.fwmark = fwmark;
  const fwmask = hexNumber(m.fwmask);
  if (fwmask !== undefined) r.fwmask = fwmask;
  if (m.goto !== undefined) r.goto = m.goto as number;
  const sp = hexNumber(m['suppress-prefixlen']);
  if (sp !== undefined) r.suppressPrefixlen = sp;
  if (m['suppress-ifgroup'] !== undefined) r.suppressIfgroup = m['suppress-ifgroup'] as number;
  if (m.protocol !== undefined) r.protocol = PROTOCOLS.name(m.protocol as number);
  if (m.l3mdev !== undefined) r.l3mdev = m.l3mdev as number;
  if (m['ip-proto'] !== undefined) r.ipProto = m['ip-proto'] as number;
  for (const [k, key] of [
    ['uid-range', 'uidRange'],
    ['sport-range', 'sportRange'],
    ['dport-range', 'dportRange'],
  ] as const) {
    const v = m[k] as Obj | undefined;
    if (v && typeof v.start === 'number') r[key] = { start: v.start, end: v.end as number };
  }
  keepUnknown(r, m, FRA_TABLE);
  return r;
}

/** The rt-rule request fields of a rule write. */
export function encodeRule(input: RuleInput): Obj {
  checkObject(input, 'rule');
  let family: Family | undefined = input.family !== undefined ? checkName(input.family, 'family', ['inet', 'inet6'] as const) : undefined;
  const src = input.src !== undefined && input.src !== 'all' ? checkPrefix(input.src, 'src', family) : undefined;
  family ??= src?.family;
  const dst = input.dst !== undefined && input.dst !== 'all' ? checkPrefix(input.dst, 'dst', family) : undefined;
  family ??= dst?.family ?? 'inet';
  const table = input.table === undefined ? undefined : checkTable(input.table);
  const action = input.action === undefined ? (input.goto !== undefined ? 'goto' : 'to-tbl') : checkName(input.action, 'action', ACTIONS);
  const m: Obj = {
    family: familyNumber(family),
    'dst-len': dst?.length ?? 0,
    'src-len': src?.length ?? 0,
    tos: input.tos === undefined ? 0 : checkInteger(input.tos, 'tos', 0, 255),
    table: table === undefined ? 0 : table < 256 ? table : 0,
    action,
    flags: input.invert !== undefined && checkBool(input.invert, 'invert') ? FIB_RULE_INVERT : 0,
  };
  const out: Obj = { ...m };
  // The header's byte, and FRA_TABLE (as ip sends it) for any table.
  if (table !== undefined) {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint32(0, table, true);
    out.__unknown = [{ type: FRA_TABLE, data }];
  }
  if (src) out.src = src.address;
  if (dst) out.dst = dst.address;
  if (input.priority !== undefined) out.priority = checkU32(input.priority, 'priority');
  if (input.iifname !== undefined) out.iifname = checkIfname(input.iifname, 'iifname');
  if (input.oifname !== undefined) out.oifname = checkIfname(input.oifname, 'oifname');
  if (input.fwmark !== undefined) out.fwmark = checkU32(input.fwmark, 'fwmark');
  if (input.fwmask !== undefined) out.fwmask = checkU32(input.fwmask, 'fwmask');
  if (input.goto !== undefined) out.goto = checkU32(input.goto, 'goto');
  if (input.suppressPrefixlen !== undefined) out['suppress-prefixlen'] = checkInteger(input.suppressPrefixlen, 'suppressPrefixlen', 0, 128);
  if (input.protocol !== undefined) out.protocol = PROTOCOLS.value(input.protocol, 'protocol');
  return out;
}

/** A Rule (from a listing) as input, to delete exactly it. */
export function ruleIdentity(r: Rule): RuleInput {
  const out: RuleInput = { table: r.table, tos: r.tos, invert: r.invert };
  if (typeof r.family === 'string') out.family = r.family;
  if (typeof r.action === 'string' && (ACTIONS as readonly string[]).includes(r.action)) out.action = r.action as RuleAction;
  out.priority = r.priority;
  if (r.src !== 'all') out.src = r.src;
  if (r.dst !== 'all') out.dst = r.dst;
  if (r.iifname !== undefined) out.iifname = r.iifname;
  if (r.oifname !== undefined) out.oifname = r.oifname;
  if (r.fwmark !== undefined) out.fwmark = r.fwmark;
  if (r.fwmask !== undefined) out.fwmask = r.fwmask;
  if (r.goto !== undefined) out.goto = r.goto;
  if (r.suppressPrefixlen !== undefined && r.suppressPrefixlen !== 0xffffffff) out.suppressPrefixlen = r.suppressPrefixlen;
  return out;
}

/** nlmsg flags of a rule add (the kernel has no replace for rules). */
export const RULE_ADD_FLAGS = NLM_F_CREATE | NLM_F_EXCL;

/** Does a rule pass a filter? */
export function ruleMatches(r: Rule, f: RuleFilter): boolean {
  if (f.family !== undefined && r.family !== f.family) return false;
  if (f.table !== undefined && r.table !== checkTable(f.table)) return false;
  if (f.priority !== undefined && r.priority !== f.priority) return false;
  return true;
}

/** Identity of a rule in a live view: all of it (the kernel keeps equal rules apart only by their fields). */
export function ruleKey(r: Rule): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

export { deepEqual };
