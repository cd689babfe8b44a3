// --policy: the kernel's validation policy of a generic netlink operation,
// read with CTRL_CMD_GETPOLICY and shaped like NlPolicy.to_dict() of the
// kernel's ynl tool (lib/ynl.py: _genl_policy_dump, _genl_decode_policy).
import { NLMSG_HDRLEN, nlaAlign } from '../core/align.js';
import { GENL_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST, NL_ATTR_TYPE_NAMES } from '../core/constants.js';
import { MessageWriter } from '../core/writer.js';
import { FamilyClient } from '../families/client.js';
import { family as nlctrl } from '../families/generated/nlctrl.js';
import type { Family, OperationCodec } from '../schema/family.js';
import { indexSpec } from '../schema/model.js';
import { PyDict, type PyValue } from './pyvalue.js';

// include/uapi/linux/genetlink.h, include/uapi/linux/netlink.h
const CTRL_ATTR_OP_POLICY = 9;
const CTRL_ATTR_POLICY = 8;
const CTRL_ATTR_POLICY_DO = 1;
const CTRL_ATTR_POLICY_DUMP = 2;
const NL_POLICY_TYPE_ATTR_TYPE = 1;
const NL_POLICY_TYPE_ATTR_MIN_VALUE_S = 2;
const NL_POLICY_TYPE_ATTR_MAX_VALUE_S = 3;
const NL_POLICY_TYPE_ATTR_MIN_VALUE_U = 4;
const NL_POLICY_TYPE_ATTR_MAX_VALUE_U = 5;
const NL_POLICY_TYPE_ATTR_MIN_LENGTH = 6;
const NL_POLICY_TYPE_ATTR_MAX_LENGTH = 7;
const NL_POLICY_TYPE_ATTR_POLICY_IDX = 8;
const NL_POLICY_TYPE_ATTR_BITFIELD32_MASK = 10;
const NL_POLICY_TYPE_ATTR_MASK = 12;

interface Nla {
  type: number;
  s: number;
  e: number;
}

function* attrs(dv: DataView, s: number, e: number): Generator<Nla> {
  let p = s;
  while (e - p >= 4) {
    const len = dv.getUint16(p, true);
    if (len < 4 || len > e - p) return;
    yield { type: dv.getUint16(p + 2, true) & 0x3fff, s: p + 4, e: p + len };
    p += nlaAlign(len);
  }
}

/** _genl_decode_policy: one attribute's policy, keys in the order the kernel sent them. */
function decodePolicy(dv: DataView, a: Nla): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const x of attrs(dv, a.s, a.e)) {
    switch (x.type) {
      case NL_POLICY_TYPE_ATTR_TYPE: {
        const t = dv.getUint32(x.s, true);
        out.set('type', NL_ATTR_TYPE_NAMES[t] ?? `type-${t}`);
        break;
      }
      case NL_POLICY_TYPE_ATTR_MIN_VALUE_S: out.set('min-value', dv.getBigInt64(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_MAX_VALUE_S: out.set('max-value', dv.getBigInt64(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_MIN_VALUE_U: out.set('min-value', dv.getBigUint64(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_MAX_VALUE_U: out.set('max-value', dv.getBigUint64(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_MIN_LENGTH: out.set('min-length', dv.getUint32(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_MAX_LENGTH: out.set('max-length', dv.getUint32(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_POLICY_IDX: out.set('policy-idx', dv.getUint32(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: out.set('bitfield32-mask', dv.getUint32(x.s, true)); break;
      case NL_POLICY_TYPE_ATTR_MASK: out.set('mask', dv.getBigUint64(x.s, true)); break;
      default: break;
    }
  }
  return out;
}

/**
 * The policy of `op`'s `mode` as the kernel reports it, in the shape of
 * cli.py's `--policy` output; null when the operation has none (or an empty one).
 */
export async function operationPolicy(family: Family, op: OperationCodec, mode: 'do' | 'dump', familyId: number, netns: string | undefined): Promise<PyValue> {
  const ctrl = nlctrl as unknown as Family;
  const client = await FamilyClient.open(ctrl, netns !== undefined ? { netns } : {});
  const opPolicy = new Map<string, number>();
  const table = new Map<number, Map<number, Map<string, PyValue>>>();
  try {
    const w = new MessageWriter(128);
    ctrl.ops.getpolicy!.dump!.encodeRequest(w, { 'family-id': familyId, op: op.requestValue! }, { flags: NLM_F_REQUEST | NLM_F_DUMP, familyId: ctrl.spec.staticFamilyId! });
    for await (const m of client.socket.dump(w.finishCopy(), { name: 'nlctrl getpolicy' })) {
      const dv = m.dv;
      for (const a of attrs(dv, m.offset + NLMSG_HDRLEN + GENL_HDRLEN, m.offset + m.length)) {
        if (a.type === CTRL_ATTR_OP_POLICY) {
          for (const o of attrs(dv, a.s, a.e)) {
            for (const x of attrs(dv, o.s, o.e)) {
              if (x.type === CTRL_ATTR_POLICY_DO) opPolicy.set('do', dv.getUint32(x.s, true));
              else if (x.type === CTRL_ATTR_POLICY_DUMP) opPolicy.set('dump', dv.getUint32(x.s, true));
            }
          }
        } else if (a.type === CTRL_ATTR_POLICY) {
          for (const p of attrs(dv, a.s, a.e)) {
            for (const x of attrs(dv, p.s, p.e)) {
              let t = table.get(p.type);
              if (!t) table.set(p.type, (t = new Map()));
              t.set(x.type, decodePolicy(dv, x));
            }
          }
        }
      }
    }
  } finally {
    client.close();
  }
  const idx = opPolicy.get(mode);
  if (idx === undefined) return null;
  const top = table.get(idx);
  if (!top || top.size === 0) return null; // `if pol` is false for an empty NlPolicy
  return toDict(family, idx, table, op.attributeSet, new Map(), new Set());
}

/** NlPolicy.to_dict(): nested policies expanded, a policy already on the path trimmed to its properties. */
function toDict(family: Family, policyIdx: number | undefined, table: Map<number, Map<number, Map<string, PyValue>>>, setName: string | undefined, props: Map<string, PyValue>, seen: ReadonlySet<number>): PyDict {
  const idx = indexSpec(family.spec);
  const result = PyDict.of(props);
  if (policyIdx === undefined || seen.has(policyIdx)) return result;
  const inner = new Set(seen).add(policyIdx);
  const children = new PyDict();
  for (const [attrId, decoded] of table.get(policyIdx) ?? new Map<number, Map<string, PyValue>>()) {
    const spec = setName !== undefined ? idx.attributesByValue.get(setName)?.get(attrId) : undefined;
    const name = spec ? spec.name : `attr-${attrId}`;
    const childProps = new Map(decoded);
    let childIdx: number | undefined;
    let childSet: string | undefined;
    if (childProps.has('policy-idx')) {
      childIdx = childProps.get('policy-idx') as number;
      childProps.delete('policy-idx');
      childSet = spec?.nestedAttributes;
    }
    children.set(name, toDict(family, childIdx, table, childSet, childProps, inner));
  }
  if (props.size) {
    result.set('policy', children);
    return result;
  }
  return children;
}
