// The inverse of Family.describeExtAck, for servers: from an attribute path in
// spec names ('value', 'config.limits[2].max', a fixed header member) to the
// byte offset of that attribute inside the request, and from a missing
// attribute's path to NLMSGERR_ATTR_MISS_TYPE / NLMSGERR_ATTR_MISS_NEST.
// Offsets count from the start of the request's nlmsghdr, as the kernel's
// NLMSGERR_ATTR_OFFS does (netlink_ack(): nlmsg_offset from the header).
import { NLMSG_HDRLEN, nlaAlign, nlmsgAlign } from '../../core/align.js';
import { GENL_HDRLEN } from '../../core/constants.js';
import { HOST_LITTLE_ENDIAN } from '../../core/bytes.js';
import type { MessageView } from '../../core/message.js';
import type { AttributeSpec, Operation, SpecIndex, StructDefinition } from '../../schema/model.js';

const LE = HOST_LITTLE_ENDIAN;
const NLA_TYPE_MASK = 0x3fff;

/** One step of a path: an attribute name and an optional [index]. */
interface Step {
  name: string;
  index: number | undefined;
}

function parsePath(path: string): Step[] | undefined {
  if (typeof path !== 'string' || path === '') return undefined;
  const steps: Step[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m) return undefined;
    steps.push({ name: m[1]!, index: m[2] === undefined ? undefined : Number(m[2]) });
  }
  return steps;
}

/** Where the attributes of a request start, and its fixed header. */
export interface RequestLayout {
  /** Absolute offset (in msg.buffer) of the fixed header, or of the attributes when there is none. */
  headerStart: number;
  header: StructDefinition | undefined;
  /** Absolute offset of the first attribute. */
  attrStart: number;
  /** Absolute end of the message. */
  end: number;
}

/** The layout of a request of `op` in `msg`. */
export function requestLayout(msg: MessageView, op: Operation, idx: SpecIndex, genetlink: boolean): RequestLayout {
  const headerStart = msg.offset + NLMSG_HDRLEN + (genetlink ? GENL_HDRLEN : 0);
  const header = op.fixedHeader !== undefined ? idx.structs.get(op.fixedHeader) : undefined;
  const end = msg.offset + msg.length;
  return { headerStart, header, attrStart: Math.min(headerStart + (header ? nlmsgAlign(header.size) : 0), end), end };
}

/** A found attribute: its header's absolute offset and its payload range. */
interface Found {
  at: number;
  start: number;
  end: number;
  spec: AttributeSpec | undefined;
}

/** The attribute of `type` in [start, end): the `occurrence`-th one (0 = first). */
function findAttr(dv: DataView, start: number, end: number, type: number, occurrence: number): { at: number; start: number; end: number } | undefined {
  let p = start;
  let seen = 0;
  while (end - p >= 4) {
    const len = dv.getUint16(p, LE);
    if (len < 4 || len > end - p) return undefined;
    if ((dv.getUint16(p + 2, LE) & NLA_TYPE_MASK) === type) {
      if (seen === occurrence) return { at: p, start: p + 4, end: p + len };
      seen++;
    }
    p += nlaAlign(len);
  }
  return undefined;
}

/**
 * Walks `steps` through the attributes of `set` in [start, end). Returns the
 * last attribute found, or undefined when any step is absent or unknown.
 */
function walk(dv: DataView, start: number, end: number, set: string, steps: readonly Step[], idx: SpecIndex): Found | undefined {
  let s = start;
  let e = end;
  let current: string | undefined = set;
  let found: Found | undefined;
  for (const step of steps) {
    if (current === undefined) return undefined;
    const spec: AttributeSpec | undefined = idx.attributes.get(current)?.get(step.name);
    if (!spec) return undefined;
    let hit: { at: number; start: number; end: number } | undefined;
    if (spec.type === 'indexed-array' && step.index !== undefined) {
      const outer = findAttr(dv, s, e, spec.value, 0);
      if (!outer) return undefined;
      hit = findAttr(dv, outer.start, outer.end, step.index, 0);
    } else {
      hit = findAttr(dv, s, e, spec.value, step.index ?? 0);
    }
    if (!hit) return undefined;
    found = { ...hit, spec };
    s = hit.start;
    e = hit.end;
    const nestedInside: boolean = spec.type === 'nest' || (spec.type === 'indexed-array' && spec.subType === 'nest' && step.index !== undefined);
    current = nestedInside ? spec.nestedAttributes : undefined;
  }
  return found;
}

/**
 * Offset (from the start of the request) of the attribute at `path`, or of a
 * fixed header member named `path`; undefined when the request does not hold it.
 */
export function attributeOffset(msg: MessageView, op: Operation, idx: SpecIndex, genetlink: boolean, path: string): number | undefined {
  const steps = parsePath(path);
  if (!steps || op.attributeSet === undefined) return undefined;
  const layout = requestLayout(msg, op, idx, genetlink);
  if (layout.header && steps.length === 1) {
    const member = layout.header.members.find((m) => m.name === steps[0]!.name);
    if (member && layout.headerStart + member.offset < layout.end) return layout.headerStart + member.offset - msg.offset;
  }
  const found = walk(msg.dv, layout.attrStart, layout.end, op.attributeSet, steps, idx);
  return found ? found.at - msg.offset : undefined;
}

/** NLMSGERR_ATTR_MISS_TYPE and _MISS_NEST for a missing attribute's path. */
export function missingAttribute(msg: MessageView, op: Operation, idx: SpecIndex, genetlink: boolean, path: string): { missingType: number; missingNest?: number } | undefined {
  const steps = parsePath(path);
  if (!steps || op.attributeSet === undefined) return undefined;
  const layout = requestLayout(msg, op, idx, genetlink);
  const last = steps[steps.length - 1]!;
  if (steps.length === 1) {
    const spec = idx.attributes.get(op.attributeSet)?.get(last.name);
    return spec ? { missingType: spec.value } : undefined;
  }
  const nest = walk(msg.dv, layout.attrStart, layout.end, op.attributeSet, steps.slice(0, -1), idx);
  if (!nest?.spec) {
    // The enclosing nest is absent too: report the outermost missing step.
    for (let i = 1; i < steps.length; i++) {
      if (!walk(msg.dv, layout.attrStart, layout.end, op.attributeSet, steps.slice(0, i), idx))
        return missingAttribute(
          msg,
          op,
          idx,
          genetlink,
          steps
            .slice(0, i)
            .map((s) => (s.index === undefined ? s.name : `${s.name}[${s.index}]`))
            .join('.'),
        );
    }
    return undefined;
  }
  const inner = nest.spec.nestedAttributes;
  const spec = inner !== undefined ? idx.attributes.get(inner)?.get(last.name) : undefined;
  return spec ? { missingType: spec.value, missingNest: nest.at - msg.offset } : undefined;
}
