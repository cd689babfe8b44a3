// Audit log records as the read-log multicast group (AUDIT_NLGRP_READLOG)
// carries them: one netlink message per record, nlmsg_type the record type,
// the payload text "audit(SECONDS.MILLIS:SERIAL): BODY" (audit_log_start()
// in kernel/audit.c writes that header). Records of one event share the
// serial; syscall events end with an AUDIT_EOE record.
//
// The multicast copy has a correct nlmsg_len, unlike the unicast one auditd
// reads (kauditd_send_multicast_skb() fixes it; see its comment).
import { NetlinkDecodeError } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { NLMSG_HDRLEN } from '../../core/align.js';
import { AUDIT_TYPE_NAMES } from './constants.js';

/** One audit log record. */
export interface AuditRecord {
  /** The record type, e.g. 1300 (SYSCALL), 1107 (USER_AVC). */
  readonly type: number;
  /** Its name as audit logs write it ('SYSCALL', 'USER_AVC'), or 'UNKNOWN[N]' as auditd writes an unknown one. */
  readonly name: string;
  /** When the event happened: milliseconds since the epoch. */
  readonly time: number;
  /** The event's serial number: records of one event share it. */
  readonly serial: number;
  /** The text after "audit(…): ", e.g. "pid=1 uid=0 … msg='…'". */
  readonly body: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const HEADER = /^audit\((\d{1,20})\.(\d{3}):(\d{1,10})\): ?/;

/** The name of a record type: the kernel header's name without AUDIT_, or UNKNOWN[N]. */
export function auditTypeName(type: number): string {
  return AUDIT_TYPE_NAMES[type] ?? `UNKNOWN[${type}]`;
}

/** Decodes a record's text. `base` is its offset for errors. Trailing NULs (some senders add one) are dropped. */
export function decodeAuditRecordText(type: number, payload: Uint8Array, base = 0): AuditRecord {
  let end = payload.length;
  while (end > 0 && payload[end - 1] === 0) end--;
  const text = utf8.decode(payload.subarray(0, end));
  const m = HEADER.exec(text);
  if (!m) throw new NetlinkDecodeError(`record text does not start with audit(SECONDS.MILLIS:SERIAL): '${text.slice(0, 48)}'`, base, 'audit record');
  const serial = Number(m[3]!);
  if (serial > 0xffffffff) throw new NetlinkDecodeError(`serial ${m[3]!} is not a 32-bit number`, base, 'audit record');
  return { type, name: auditTypeName(type), time: Number(m[1]!) * 1000 + Number(m[2]!), serial, body: text.slice(m[0].length) };
}

/** Decodes a record message of the read-log group (error offsets count from the start of the message). */
export function decodeAuditRecord(msg: MessageView): AuditRecord {
  return decodeAuditRecordText(msg.type, msg.payload, NLMSG_HDRLEN);
}

/**
 * Splits a record body into its fields: `key=value` words, values in
 * double or single quotes taken whole without the quotes (msg='…' keeps its
 * inner text as one value). A word without '=' is skipped.
 */
export function parseAuditFields(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const n = body.length;
  while (i < n) {
    while (i < n && body[i] === ' ') i++;
    const start = i;
    while (i < n && body[i] !== '=' && body[i] !== ' ') i++;
    if (i >= n || body[i] !== '=') {
      while (i < n && body[i] !== ' ') i++;
      continue;
    }
    const key = body.slice(start, i);
    i++;
    let value: string;
    const q = body[i];
    if (q === '"' || q === "'") {
      const close = body.indexOf(q, i + 1);
      const stop = close < 0 ? n : close;
      value = body.slice(i + 1, stop);
      i = close < 0 ? n : close + 1;
    } else {
      const vs = i;
      while (i < n && body[i] !== ' ') i++;
      value = body.slice(vs, i);
    }
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else if (key !== '') out[key] = value;
  }
  return out;
}
