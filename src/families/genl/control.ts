// What nlctrl tells about a generic netlink family beyond its id: the
// operations it implements (CTRL_CMD_GETFAMILY, CTRL_ATTR_OPS) and the
// attribute policies the kernel validates requests with (CTRL_CMD_GETPOLICY).
// Decoded by hand, like the resolver, so that nothing here depends on a spec;
// a spec, when given, only adds names.
import { GENL_HDRLEN, GENL_ID_CTRL, NL_ATTR_TYPE_NAMES, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import {
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_OP,
  CTRL_ATTR_OP_POLICY,
  CTRL_ATTR_POLICY,
  CTRL_ATTR_POLICY_DO,
  CTRL_ATTR_POLICY_DUMP,
  CTRL_CMD_GETPOLICY,
  GENL_CMD_CAP_HASPOL,
} from './constants.js';
import type { AttributeReader } from '../../core/attributes.js';
import { readPolicyAttributes } from '../../core/ack.js';
import type { ExtAckPolicy } from '../../core/errors.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import type { CallOptions, NetlinkSocket } from '../../io/socket.js';
import type { Family } from '../../schema/family.js';
import type { AttributeSpec, FamilySpec } from '../../schema/model.js';
import { FamilyNotFoundError, GenericResolver, type GenericFamilyInfo } from './resolver.js';

/** Names of the operation flag bits, as nlctrl.yaml's op-flags (and the ynl tool) name them, by bit number. */
export const GENL_OP_FLAG_NAMES = ['admin-perm', 'cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol', 'uns-admin-perm'] as const;

/** Name of an operation flag. */
export type GenericOperationFlag = (typeof GENL_OP_FLAG_NAMES)[number];

/** Names of the set bits of CTRL_ATTR_OP_FLAGS; unknown bits as 'bit-N'. */
export function operationFlagNames(flags: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (((flags >>> bit) & 1) === 0) continue;
    out.push(GENL_OP_FLAG_NAMES[bit] ?? `bit-${bit}`);
  }
  return out;
}

/** One operation a family implements. */
export interface GenericOperation {
  /** Command number (genlmsghdr.cmd). */
  id: number;
  /** The operation's name in the spec, when a spec was given and names it. */
  name?: string;
  /** CTRL_ATTR_OP_FLAGS as names: 'admin-perm', 'cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol', 'uns-admin-perm'. */
  flags: string[];
}

/** Type name of a policy attribute type (enum netlink_attribute_type), as nlctrl.yaml's attr-type names it. */
export type PolicyAttributeType = (typeof NL_ATTR_TYPE_NAMES)[number];

/** How the kernel validates one attribute (one entry of a policy): the fields of an extended ack's policy, the type always given. */
export interface AttributePolicy extends Omit<ExtAckPolicy, 'type'> {
  /** Attribute type: 'u32', 'nul-string', 'nested', 'bitfield32' ... */
  type: PolicyAttributeType | `type-${number}`;
  /** Attribute name from the spec, when known. */
  name?: string;
}

/** The policies one operation's requests are validated with. */
export interface OperationPolicy {
  /** Command number. */
  id: number;
  /** The operation's name in the spec, when known. */
  name?: string;
  /** Policy index for `do` requests. */
  do?: number;
  /** Policy index for `dump` requests. */
  dump?: number;
}

/** One policy entry as the kernel's ynl tool prints it with `--policy` (min/max as bigint). */
export interface PolicyTreeEntry {
  /** Attribute type: 'u32', 'string', 'nested' ... */
  type: string;
  /** Smallest value accepted. */
  'min-value'?: bigint;
  /** Largest value accepted. */
  'max-value'?: bigint;
  /** Shortest payload accepted, in bytes. */
  'min-length'?: number;
  /** Longest payload accepted, in bytes. */
  'max-length'?: number;
  /** Bits a bitfield32 attribute may set. */
  'bitfield32-mask'?: number;
  /** Bits an unsigned value may set. */
  mask?: bigint;
  /** Attributes of a nested policy (left out where the policy was already shown higher up). */
  policy?: PolicyTree;
}

/** The named policy of one operation: attribute name -> entry, as `ynl --policy` prints it. */
export type PolicyTree = { [attribute: string]: PolicyTreeEntry };

/** Options of {@link policy}. */
export interface PolicyOptions extends CallOptions {
  /** Only this operation's policies: its spec name (needs a spec) or command number. */
  op?: string | number;
  /** Resolver to look the family up with (its cache is used); default: a fresh one on the socket. */
  resolver?: GenericResolver;
}

/** Options of {@link operations}. */
export interface OperationsOptions extends CallOptions {
  /** Resolver to look the family up with (its cache is used); default: a fresh one on the socket. */
  resolver?: GenericResolver;
}

/** A family given by name, by spec, or as a compiled family. */
export type FamilyRef = string | Family | FamilySpec;

function specOf(family: FamilyRef): FamilySpec | undefined {
  if (typeof family === 'string') return undefined;
  if ('spec' in family && typeof (family as Family).decode === 'function') return (family as Family).spec;
  return family as FamilySpec;
}

function nameOf(family: FamilyRef): string {
  if (typeof family === 'string') {
    if (family === '') throw new TypeError('family name must be a non-empty string');
    return family;
  }
  if (family === null || typeof family !== 'object' || typeof family.name !== 'string') throw new TypeError('family must be a name, a spec or a compiled family');
  return family.name;
}

/** Operation name of a command number in a spec (genetlink request ids are commands). */
function opName(spec: FamilySpec | undefined, id: number): string | undefined {
  if (!spec) return undefined;
  for (const op of spec.operations) if (op.isCall && op.requestValue === id) return op.name;
  return undefined;
}

function opId(spec: FamilySpec | undefined, family: string, op: string | number): number {
  if (typeof op === 'number') {
    if (!Number.isInteger(op) || op < 0 || op > 255) throw new RangeError(`op must be a command number 0..255, got ${op}`);
    return op;
  }
  if (typeof op !== 'string') throw new TypeError('op must be an operation name or a command number');
  if (!spec) throw new TypeError(`operation '${op}' given by name needs the family's spec (pass the family or spec instead of '${family}')`);
  const found = spec.operations.find((o) => o.name === op && o.isCall);
  if (!found || found.requestValue === undefined) {
    throw new RangeError(
      `${spec.name} has no operation '${op}' (operations: ${spec.operations
        .filter((o) => o.isCall)
        .map((o) => o.name)
        .join(', ')})`,
    );
  }
  return found.requestValue;
}

async function familyInfo(socket: NetlinkSocket, name: string, options: CallOptions & { resolver?: GenericResolver }): Promise<GenericFamilyInfo> {
  const resolver = options.resolver ?? new GenericResolver(socket);
  const call: CallOptions = {};
  if (options.signal) call.signal = options.signal;
  if (options.timeout !== undefined) call.timeout = options.timeout;
  return resolver.resolve(name, call);
}

/**
 * The operations a generic netlink family implements, with their flags as
 * names. With a spec (or compiled family) the operations are named too.
 *
 * ```ts
 * await genl.operations(socket, ethtool) // [{ id: 1, name: 'strset-get', flags: ['cmd-cap-do', ...] }, ...]
 * ```
 */
export async function operations(socket: NetlinkSocket, family: FamilyRef, options: OperationsOptions = {}): Promise<GenericOperation[]> {
  const name = nameOf(family);
  const spec = specOf(family);
  const info = await familyInfo(socket, name, options);
  const out: GenericOperation[] = [];
  for (const [id, flags] of info.operations) {
    const op: GenericOperation = { id, flags: operationFlagNames(flags) };
    const n = opName(spec, id);
    if (n !== undefined) op.name = n;
    out.push(op);
  }
  return out;
}

/** CTRL_CMD_GETPOLICY dump request for a family id (and one command). */
export function getPolicyRequest(familyId: number, op?: number): Uint8Array {
  const w = new MessageWriter(64);
  w.beginMessage(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP);
  const at = w.reserve(GENL_HDRLEN);
  w.setU8(at, CTRL_CMD_GETPOLICY).setU8(at + 1, 1);
  w.putU16(CTRL_ATTR_FAMILY_ID, familyId);
  if (op !== undefined) w.putU32(CTRL_ATTR_OP, op);
  return w.endMessage().finishCopy();
}

function decodeAttributePolicy(r: AttributeReader): AttributePolicy {
  const { type, ...rest } = readPolicyAttributes(r);
  return { type: (type ?? 'invalid') as AttributePolicy['type'], ...rest };
}

/** What one CTRL_CMD_GETPOLICY message carries. */
export interface PolicyMessage {
  /** Id of the family the policy describes (CTRL_ATTR_FAMILY_ID). */
  familyId: number;
  /** CTRL_ATTR_OP_POLICY: command number (as the kernel wrote it) and its policy indices. */
  op?: OperationPolicy;
  /** CTRL_ATTR_POLICY: policy index, attribute number and the attribute's policy. */
  policy?: {
    /** The policy index the attribute belongs to. */
    index: number;
    /** The attribute's number. */
    attribute: number;
    /** What the kernel accepts for the attribute. */
    policy: AttributePolicy;
  };
}

/** Decodes one CTRL_CMD_GETPOLICY reply message. */
export function parsePolicyMessage(msg: MessageView): PolicyMessage {
  const out: PolicyMessage = { familyId: 0 };
  const r = msg.attributes(GENL_HDRLEN, 'nlctrl.getpolicy');
  while (r.next()) {
    if (r.type === CTRL_ATTR_FAMILY_ID) out.familyId = r.u16();
    else if (r.type === CTRL_ATTR_OP_POLICY) {
      const ops = r.nested('op-policy');
      while (ops.next()) {
        const op: OperationPolicy = { id: ops.type };
        const m = ops.nested(String(ops.type));
        while (m.next()) {
          if (m.type === CTRL_ATTR_POLICY_DO) op.do = m.u32();
          else if (m.type === CTRL_ATTR_POLICY_DUMP) op.dump = m.u32();
        }
        out.op = op;
      }
    } else if (r.type === CTRL_ATTR_POLICY) {
      const indexes = r.nested('policy');
      while (indexes.next()) {
        const index = indexes.type;
        const attrs = indexes.nested(String(index));
        while (attrs.next()) {
          out.policy = { index, attribute: attrs.type, policy: decodeAttributePolicy(attrs.nested(`${index}.${attrs.type}`)) };
        }
      }
    }
  }
  return out;
}

const NESTING_TYPES = new Set(['nest', 'indexed-array', 'nest-type-value']);

/** Attribute set whose attributes an attribute's nested policy describes, from the spec. */
function nestedSet(a: AttributeSpec | undefined): string | undefined {
  return a && NESTING_TYPES.has(a.type) ? a.nestedAttributes : undefined;
}

/** The attribute policies of a family (or of one of its operations), as the kernel reports them. */
export class GenericPolicy {
  /** Attribute set of each policy index, where the spec tells. */
  private readonly setOfIndex = new Map<number, string>();
  private readonly attrsBySet = new Map<string, Map<number, AttributeSpec>>();

  /** @internal Use {@link policy}. */
  constructor(
    /** Family name. */
    readonly family: string,
    /** Generic netlink family id. */
    readonly familyId: number,
    /** Operations and the policy index of their do / dump requests. */
    readonly operations: readonly OperationPolicy[],
    /** Policy index -> attribute number -> policy. */
    readonly policies: ReadonlyMap<number, ReadonlyMap<number, AttributePolicy>>,
    /** The spec names come from, if one was given. */
    readonly spec: FamilySpec | undefined,
  ) {
    if (spec) {
      for (const set of spec.attributeSets) this.attrsBySet.set(set.name, new Map(set.attributes.map((a) => [a.value, a])));
      for (const op of operations) {
        const o = op.name !== undefined ? spec.operations.find((x) => x.name === op.name) : undefined;
        if (o?.attributeSet === undefined) continue;
        if (op.do !== undefined) this.assignSet(op.do, o.attributeSet);
        if (op.dump !== undefined) this.assignSet(op.dump, o.attributeSet);
      }
      for (const [index, attrs] of policies) {
        const set = this.setOfIndex.get(index);
        const named = set ? this.attrsBySet.get(set) : undefined;
        if (!named) continue;
        for (const [attr, p] of attrs) {
          const name = named.get(attr)?.name;
          if (name !== undefined) p.name = name;
        }
      }
    }
  }

  // Follows nested policy indices through the spec's nested-attributes.
  private assignSet(index: number, set: string): void {
    if (this.setOfIndex.has(index)) return;
    this.setOfIndex.set(index, set);
    const named = this.attrsBySet.get(set);
    const attrs = this.policies.get(index);
    if (!named || !attrs) return;
    for (const [attr, p] of attrs) {
      const inner = nestedSet(named.get(attr));
      if (p.policyIndex !== undefined && inner !== undefined) this.assignSet(p.policyIndex, inner);
    }
  }

  /** Attribute set (spec name) that policy `index` validates, where the spec tells. */
  attributeSet(index: number): string | undefined {
    return this.setOfIndex.get(index);
  }

  /** The policy of one operation's mode: its index, or undefined when the kernel validates nothing for it. */
  operation(op: string | number): OperationPolicy | undefined {
    return this.operations.find((o) => (typeof op === 'number' ? o.id === op : o.name === op));
  }

  /**
   * The policy of an operation's requests with attribute names, nested
   * policies expanded, in the shape the kernel's ynl tool prints for
   * `--do OP --policy` (a policy already shown higher up is not expanded again).
   * Undefined when the operation has no policy for this mode.
   */
  tree(op: string | number, mode: 'do' | 'dump' = 'do'): PolicyTree | undefined {
    const found = this.operation(op);
    if (!found) throw new RangeError(`${this.family}: no policy reported for operation ${typeof op === 'number' ? op : `'${op}'`}`);
    const index = found[mode];
    if (index === undefined) return undefined;
    const o = found.name !== undefined ? this.spec?.operations.find((x) => x.name === found.name) : undefined;
    return this.subtree(index, o?.attributeSet, new Set());
  }

  private subtree(index: number, set: string | undefined, seen: ReadonlySet<number>): PolicyTree {
    const out: PolicyTree = {};
    const attrs = this.policies.get(index);
    if (!attrs) return out;
    const inside = new Set(seen).add(index);
    const named = set !== undefined ? this.attrsBySet.get(set) : undefined;
    for (const [attr, p] of attrs) {
      const spec = named?.get(attr);
      const entry: PolicyTreeEntry = { type: p.type };
      if (p.minValue !== undefined) entry['min-value'] = p.minValue;
      if (p.maxValue !== undefined) entry['max-value'] = p.maxValue;
      if (p.minLength !== undefined) entry['min-length'] = p.minLength;
      if (p.maxLength !== undefined) entry['max-length'] = p.maxLength;
      if (p.bitfield32Mask !== undefined) entry['bitfield32-mask'] = p.bitfield32Mask;
      if (p.mask !== undefined) entry.mask = p.mask;
      if (p.policyIndex !== undefined && !inside.has(p.policyIndex)) entry.policy = this.subtree(p.policyIndex, nestedSet(spec), inside);
      out[spec?.name ?? `attr-${attr}`] = entry;
    }
    return out;
  }

  /** Plain data (policies as nested objects keyed by index and attribute number). */
  toJSON(): {
    /** The family's name. */
    family: string;
    /** The family's id (its nlmsg_type). */
    familyId: number;
    /** The policy indices of each operation's modes. */
    operations: OperationPolicy[];
    /** Attribute policies by policy index, then attribute number. */
    policies: Record<number, Record<number, AttributePolicy>>;
  } {
    const policies: Record<number, Record<number, AttributePolicy>> = {};
    for (const [index, attrs] of this.policies) policies[index] = Object.fromEntries(attrs);
    return { family: this.family, familyId: this.familyId, operations: [...this.operations], policies };
  }
}

/**
 * Dumps the attribute policies of a generic netlink family (CTRL_CMD_GETPOLICY),
 * or of one operation with `op`: for each operation the policy index of its
 * do / dump requests, and for each policy index the type, value range,
 * lengths, masks and nested policy of every attribute. A spec (or compiled
 * family) instead of a name adds operation and attribute names.
 *
 * ```ts
 * const p = await genl.policy(socket, ethtool, { op: 'rings-get' });
 * p.tree('rings-get') // { header: { type: 'nested', policy: { 'dev-index': { type: 'u32', ... } } } }
 * ```
 */
export async function policy(socket: NetlinkSocket, family: FamilyRef, options: PolicyOptions = {}): Promise<GenericPolicy> {
  const name = nameOf(family);
  const spec = specOf(family);
  const wanted = options.op === undefined ? undefined : opId(spec, name, options.op);
  const info = await familyInfo(socket, name, options);
  const call: CallOptions = {};
  if (options.signal) call.signal = options.signal;
  if (options.timeout !== undefined) call.timeout = options.timeout;
  let messages: MessageView[];
  try {
    messages = await socket.dumpAll(getPolicyRequest(info.id, wanted), { ...call, name: 'CTRL_CMD_GETPOLICY' });
  } catch (err) {
    // A family without any policy answers ENODATA; one unregistered meanwhile ENOENT.
    if ((err as { code?: string }).code === 'ENODATA') messages = [];
    else if ((err as { code?: string }).code === 'ENOENT') throw new FamilyNotFoundError(name, { cause: err });
    else throw err;
  }
  const ops: OperationPolicy[] = [];
  const policies = new Map<number, Map<number, AttributePolicy>>();
  for (const msg of messages) {
    const m = parsePolicyMessage(msg);
    if (m.op) ops.push(m.op);
    if (m.policy) {
      let attrs = policies.get(m.policy.index);
      if (!attrs) policies.set(m.policy.index, (attrs = new Map()));
      attrs.set(m.policy.attribute, m.policy.policy);
    }
  }
  // The kernel writes the command of the `do` half of each operation
  // (ctrl_dumppolicy_put_op() nests under doit->cmd), which is 0 for an
  // operation that only dumps. Its messages come in the order of the
  // family's operations that have a policy (CTRL_ATTR_OP_FLAGS has
  // GENL_CMD_CAP_HASPOL): the same iterator produces both lists.
  const withPolicy = [...info.operations].filter(([, flags]) => flags & GENL_CMD_CAP_HASPOL).map(([id]) => id);
  if (wanted !== undefined) {
    for (const op of ops) op.id = wanted;
  } else if (withPolicy.length === ops.length) {
    ops.forEach((op, i) => {
      if (op.id === 0 && op.do === undefined) op.id = withPolicy[i]!;
    });
  }
  for (const op of ops) {
    const n = opName(spec, op.id);
    if (n !== undefined) op.name = n;
  }
  return new GenericPolicy(info.name, info.id, ops, policies, spec);
}
