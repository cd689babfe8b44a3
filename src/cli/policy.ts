// --policy: the kernel's validation policy of a generic netlink operation,
// read with CTRL_CMD_GETPOLICY and shaped like NlPolicy.to_dict() of the
// kernel's ynl tool (lib/ynl.py: _genl_policy_dump, _genl_decode_policy).
import { FamilyClient } from '../families/client.js';
import { family as nlctrl } from '../families/generated/nlctrl.js';
import { getPolicyRequest, parsePolicyMessage, type AttributePolicy } from '../families/genl/control.js';
import type { Family, OperationCodec } from '../schema/family.js';
import { indexSpec } from '../schema/model.js';
import { PyDict, type PyValue } from './pyvalue.js';

/**
 * _genl_decode_policy: one attribute's policy under ynl's keys, in the order
 * the kernel writes them (netlink_policy_dump_write_attr(): the bounds, then
 * the type); ynl leaves NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE out.
 */
function policyProps(p: AttributePolicy): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  if (p.minValue !== undefined) out.set('min-value', p.minValue);
  if (p.maxValue !== undefined) out.set('max-value', p.maxValue);
  if (p.minLength !== undefined) out.set('min-length', p.minLength);
  if (p.maxLength !== undefined) out.set('max-length', p.maxLength);
  if (p.policyIndex !== undefined) out.set('policy-idx', p.policyIndex);
  if (p.bitfield32Mask !== undefined) out.set('bitfield32-mask', p.bitfield32Mask);
  if (p.mask !== undefined) out.set('mask', p.mask);
  out.set('type', p.type);
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
    for await (const m of client.socket.dump(getPolicyRequest(familyId, op.requestValue), { name: 'nlctrl getpolicy' })) {
      const { op: o, policy: p } = parsePolicyMessage(m);
      if (o?.do !== undefined) opPolicy.set('do', o.do);
      if (o?.dump !== undefined) opPolicy.set('dump', o.dump);
      if (p) {
        let t = table.get(p.index);
        if (!t) table.set(p.index, (t = new Map()));
        t.set(p.attribute, policyProps(p.policy));
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
function toDict(
  family: Family,
  policyIdx: number | undefined,
  table: Map<number, Map<number, Map<string, PyValue>>>,
  setName: string | undefined,
  props: Map<string, PyValue>,
  seen: ReadonlySet<number>,
): PyDict {
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
