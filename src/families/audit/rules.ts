// struct audit_rule_data (include/uapi/linux/audit.h), what AUDIT_LIST_RULES
// answers with, one message per rule:
//
//   __u32 flags;                       // 0     filter list | AUDIT_FILTER_PREPEND
//   __u32 action;                      // 4     never / possible / always
//   __u32 field_count;                 // 8
//   __u32 mask[AUDIT_BITMASK_SIZE];    // 12    syscalls, one bit each
//   __u32 fields[AUDIT_MAX_FIELDS];    // 268
//   __u32 values[AUDIT_MAX_FIELDS];    // 524
//   __u32 fieldflags[AUDIT_MAX_FIELDS];// 780   operators
//   __u32 buflen;                      // 1036
//   char  buf[];                       // 1040  string values, back to back, no NULs
//
// A string field's value word is the length of its string in buf
// (audit_krule_to_data(), kernel/auditfilter.c).
import { HOST_LITTLE_ENDIAN, dataViewOf } from '../../core/bytes.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import {
  AUDIT_ACTION_NAMES,
  AUDIT_BITMASK_SIZE,
  AUDIT_EXIT,
  AUDIT_FIELD_NAMES,
  AUDIT_FILTERKEY,
  AUDIT_FILTER_NAMES,
  AUDIT_FILTER_PREPEND,
  AUDIT_MAX_FIELDS,
  AUDIT_OPERATORS,
  AUDIT_STRING_FIELDS,
  type AuditAction,
  type AuditFilterList,
} from './constants.js';

const LE = HOST_LITTLE_ENDIAN;

const OFF_MASK = 12;
const OFF_FIELDS = OFF_MASK + AUDIT_BITMASK_SIZE * 4;
const OFF_VALUES = OFF_FIELDS + AUDIT_MAX_FIELDS * 4;
const OFF_FIELDFLAGS = OFF_VALUES + AUDIT_MAX_FIELDS * 4;
const OFF_BUFLEN = OFF_FIELDFLAGS + AUDIT_MAX_FIELDS * 4;
/** sizeof(struct audit_rule_data) without its buffer. */
export const AUDIT_RULE_DATA_SIZE = OFF_BUFLEN + 4;

/** One condition of a rule: -F NAME OP VALUE. */
export interface AuditRuleField {
  /** auditctl's name of the field ('auid', 'path', 'key' …), or 'field<N>' for one this version does not know. */
  readonly field: string;
  /** The field's number (AUDIT_*). */
  readonly type: number;
  /** '=', '!=', '<', '>', '<=', '>=', '&' or '&='; 'op<0xN>' for another value. */
  readonly op: string;
  /** A number, or the string for string fields (path, dir, exe, key, SELinux labels). */
  readonly value: number | string;
}

/** An audit rule as the kernel lists it. */
export interface AuditRule {
  /** The filter list: 'exit', 'task', 'user', 'exclude', 'filesystem' ('entry' and 'watch' are gone from current kernels). */
  readonly list: AuditFilterList | (string & {});
  /** What a match does: 'never', 'possible' or 'always'; 'action<N>' for a number this version does not know. */
  readonly action: AuditAction | (string & {});
  /** The flags word as it is (list | AUDIT_FILTER_PREPEND). */
  readonly flags: number;
  /** True when every syscall bit is set (auditctl's -S all, or no -S). */
  readonly allSyscalls: boolean;
  /** The syscall numbers whose bit is set (empty with allSyscalls). */
  readonly syscalls: readonly number[];
  /** The rule's conditions (-F), all of which must hold. */
  readonly fields: readonly AuditRuleField[];
  /** The rule's keys (-k), from its AUDIT_FILTERKEY field (auditctl joins several with \x01). */
  readonly keys: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Decodes one AUDIT_LIST_RULES message's payload. */
export function decodeAuditRule(payload: Uint8Array, base = 0): AuditRule {
  const context = 'audit_rule_data';
  if (payload.length < AUDIT_RULE_DATA_SIZE) throw new NetlinkDecodeError(`${payload.length} bytes are too few for an audit_rule_data (${AUDIT_RULE_DATA_SIZE})`, base, context);
  const dv = dataViewOf(payload);
  const flags = dv.getUint32(0, LE);
  const actionNumber = dv.getUint32(4, LE);
  const count = dv.getUint32(8, LE);
  if (count > AUDIT_MAX_FIELDS) throw new NetlinkDecodeError(`field_count ${count} is more than AUDIT_MAX_FIELDS (${AUDIT_MAX_FIELDS})`, base + 8, context);
  const buflen = dv.getUint32(OFF_BUFLEN, LE);
  if (buflen > payload.length - AUDIT_RULE_DATA_SIZE)
    throw new NetlinkDecodeError(`buflen ${buflen} runs past the message (${payload.length - AUDIT_RULE_DATA_SIZE} bytes of buffer)`, base + OFF_BUFLEN, context);
  let allSyscalls = true;
  const syscalls: number[] = [];
  for (let word = 0; word < AUDIT_BITMASK_SIZE; word++) {
    const bits = dv.getUint32(OFF_MASK + word * 4, LE);
    if (bits !== 0xffffffff) allSyscalls = false;
    for (let bit = 0; bit < 32; bit++) if (bits & (1 << bit)) syscalls.push(word * 32 + bit);
  }
  const fields: AuditRuleField[] = [];
  const keys: string[] = [];
  let bufPos = 0;
  for (let i = 0; i < count; i++) {
    const type = dv.getUint32(OFF_FIELDS + i * 4, LE);
    const raw = dv.getUint32(OFF_VALUES + i * 4, LE);
    const opBits = dv.getUint32(OFF_FIELDFLAGS + i * 4, LE);
    const op = AUDIT_OPERATORS[opBits] ?? `op<0x${opBits.toString(16)}>`;
    const field = AUDIT_FIELD_NAMES[type] ?? `field<${type}>`;
    let value: number | string;
    if (AUDIT_STRING_FIELDS.has(type)) {
      if (raw > buflen - bufPos)
        throw new NetlinkDecodeError(`string of field ${field} (${raw} bytes) runs past buflen (${buflen - bufPos} bytes left)`, base + OFF_VALUES + i * 4, context);
      value = utf8.decode(payload.subarray(AUDIT_RULE_DATA_SIZE + bufPos, AUDIT_RULE_DATA_SIZE + bufPos + raw));
      bufPos += raw;
      if (type === AUDIT_FILTERKEY) keys.push(...value.split('\x01'));
    } else {
      value = type === AUDIT_EXIT ? raw | 0 : raw;
    }
    fields.push({ field, type, op, value });
  }
  const list = flags & ~AUDIT_FILTER_PREPEND;
  return {
    list: AUDIT_FILTER_NAMES[list] ?? `list<${list}>`,
    action: AUDIT_ACTION_NAMES[actionNumber] ?? `action<${actionNumber}>`,
    flags,
    allSyscalls,
    syscalls: allSyscalls ? [] : syscalls,
    fields,
    keys,
  };
}

/** A rule to encode (tests and fake kernels): what decodeAuditRule() gives, numbers for names. */
export interface AuditRuleSpec {
  /** Filter list number (AUDIT_FILTER_*), with AUDIT_FILTER_PREPEND if wanted. */
  flags: number;
  /** AUDIT_NEVER / AUDIT_POSSIBLE / AUDIT_ALWAYS. */
  action: number;
  /** Syscall numbers, or 'all'. */
  syscalls: readonly number[] | 'all';
  /** Fields: number, operator bits (AUDIT_EQUAL …), value (a string for string fields). */
  fields: readonly {
    /** The field's number (AUDIT_PID …). */
    type: number;
    /** Operator bits (AUDIT_EQUAL …). */
    op: number;
    /** A number, or a string for string fields. */
    value: number | string;
  }[];
}

/** Encodes a struct audit_rule_data as the kernel lists it. */
export function encodeAuditRule(rule: AuditRuleSpec): Uint8Array {
  if (rule.fields.length > AUDIT_MAX_FIELDS) throw new RangeError(`a rule has at most ${AUDIT_MAX_FIELDS} fields`);
  const enc = new TextEncoder();
  const strings = rule.fields.map((f) => (typeof f.value === 'string' ? enc.encode(f.value) : undefined));
  const buflen = strings.reduce((n, s) => n + (s?.length ?? 0), 0);
  const out = new Uint8Array(AUDIT_RULE_DATA_SIZE + buflen);
  const dv = dataViewOf(out);
  dv.setUint32(0, rule.flags, LE);
  dv.setUint32(4, rule.action, LE);
  dv.setUint32(8, rule.fields.length, LE);
  for (let word = 0; word < AUDIT_BITMASK_SIZE; word++) {
    let bits = 0;
    if (rule.syscalls === 'all') bits = 0xffffffff;
    else for (const n of rule.syscalls) if (Math.floor(n / 32) === word) bits |= 1 << (n % 32);
    dv.setUint32(OFF_MASK + word * 4, bits >>> 0, LE);
  }
  let at = AUDIT_RULE_DATA_SIZE;
  rule.fields.forEach((f, i) => {
    const s = strings[i];
    dv.setUint32(OFF_FIELDS + i * 4, f.type, LE);
    dv.setUint32(OFF_VALUES + i * 4, s ? s.length : (f.value as number) >>> 0, LE);
    dv.setUint32(OFF_FIELDFLAGS + i * 4, f.op >>> 0, LE);
    if (s) {
      out.set(s, at);
      at += s.length;
    }
  });
  dv.setUint32(OFF_BUFLEN, buflen, LE);
  return out;
}
