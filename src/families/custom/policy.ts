// The `checks` of a spec applied to a request before its handler runs, as the
// kernel's attribute policy does (lib/nlattr.c, validate_nla() and
// nla_validate_range_*()): a length or a value out of range rejects the
// request with ERANGE, the kernel's message, and the offending attribute's
// offset.
import { NLMSG_HDRLEN, nlaAlign } from '../../core/align.js';
import { HOST_LITTLE_ENDIAN } from '../../core/bytes.js';
import type { MessageView } from '../../core/message.js';
import type { AttributeSpec, Operation, SpecIndex } from '../../schema/model.js';
import { FamilyServerError } from './error.js';
import { requestLayout } from './extack.js';

const LE = HOST_LITTLE_ENDIAN;
const ERANGE = 34;
const NLA_TYPE_MASK = 0x3fff;
const MAX_DEPTH = 16;

const INT_WIDTH: Readonly<Record<string, number>> = { u8: 1, u16: 2, u32: 4, u64: 8, s8: 1, s16: 2, s32: 4, s64: 8 };

function readInt(dv: DataView, at: number, len: number, type: string, bigEndian: boolean): bigint | undefined {
  const signed = type.startsWith('s');
  const width = INT_WIDTH[type] ?? (len === 4 || len === 8 ? len : 0);
  if (width === 0 || len !== width) return undefined; // a wrong width is the decoder's to reject
  const le = bigEndian ? false : LE;
  switch (width) {
    case 1:
      return BigInt(signed ? dv.getInt8(at) : dv.getUint8(at));
    case 2:
      return BigInt(signed ? dv.getInt16(at, le) : dv.getUint16(at, le));
    case 4:
      return BigInt(signed ? dv.getInt32(at, le) : dv.getUint32(at, le));
    default:
      return signed ? dv.getBigInt64(at, le) : dv.getBigUint64(at, le);
  }
}

function fail(message: string, at: number, msg: MessageView): never {
  throw new FamilyServerError(ERANGE, { message, offset: at - msg.offset });
}

function checkAttr(msg: MessageView, dv: DataView, at: number, len: number, a: AttributeSpec): void {
  const c = a.checks;
  const data = at + 4;
  const size = len - 4;
  switch (a.type) {
    case 'string': {
      // validate_nla(), NLA_STRING: the terminating NUL does not count.
      const n = size > 0 && dv.getUint8(data + size - 1) === 0 ? size - 1 : size;
      if ((c.maxLen !== undefined && n > c.maxLen) || (c.minLen !== undefined && n < c.minLen) || (c.exactLen !== undefined && n !== c.exactLen)) {
        fail('Attribute failed policy validation', at, msg);
      }
      return;
    }
    case 'binary':
      if ((c.maxLen !== undefined && size > c.maxLen) || (c.minLen !== undefined && size < c.minLen) || (c.exactLen !== undefined && size !== c.exactLen)) {
        fail('binary attribute size out of range', at, msg);
      }
      return;
    default: {
      if (c.min === undefined && c.max === undefined) return;
      if (!(a.type in INT_WIDTH) && a.type !== 'uint' && a.type !== 'sint') return;
      const v = readInt(dv, data, size, a.type === 'uint' ? 'u' : a.type === 'sint' ? 's' : a.type, a.byteOrder === 'big-endian');
      if (v === undefined) return;
      if ((c.min !== undefined && v < BigInt(c.min)) || (c.max !== undefined && v > BigInt(c.max))) fail('integer out of range', at, msg);
    }
  }
}

function checkSet(msg: MessageView, dv: DataView, start: number, end: number, set: string, idx: SpecIndex, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const byValue = idx.attributesByValue.get(set);
  if (!byValue) return;
  let p = start;
  while (end - p >= 4) {
    const len = dv.getUint16(p, LE);
    if (len < 4 || len > end - p) return; // malformed: the decoder reports it
    const a = byValue.get(dv.getUint16(p + 2, LE) & NLA_TYPE_MASK);
    if (a) {
      checkAttr(msg, dv, p, len, a);
      if (a.type === 'nest' && a.nestedAttributes !== undefined) checkSet(msg, dv, p + 4, p + len, a.nestedAttributes, idx, depth + 1);
    }
    p += nlaAlign(len);
  }
}

/** Throws a FamilyServerError (ERANGE, with the attribute's offset) when the request breaks its spec's checks. */
export function checkPolicy(msg: MessageView, op: Operation, idx: SpecIndex, genetlink: boolean): void {
  if (op.attributeSet === undefined || msg.length <= NLMSG_HDRLEN) return;
  const { attrStart, end } = requestLayout(msg, op, idx, genetlink);
  checkSet(msg, msg.dv, attrStart, end, op.attributeSet, idx, 0);
}
