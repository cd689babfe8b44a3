// Custom families: a family written as a YNL spec (a YAML file, or the same
// document as a TypeScript object) that user processes speak to each other
// over NETLINK_USERSOCK, with a FamilyServer on one side and a FamilyClient on
// the other.
//
// Message types. Only NETLINK_USERSOCK lets user processes talk to each other
// (on every other protocol a message from a non-zero port is a forgery, and
// the client drops it), so a custom family always runs on protocol 2:
// - `protocol: netlink-raw` with `protonum: 2`: operation values are the
//   nlmsg_type, fixed by the spec. They must be >= NLMSG_MIN_TYPE (16): lower
//   types are netlink's own control messages. This is the natural choice for a
//   protocol that lives in user space.
// - genetlink-style specs (`protocol: genetlink`, the default), for prototyping
//   a generic netlink family before its kernel module exists: messages keep the
//   genlmsghdr (cmd, version) so the same spec later works against the kernel
//   unchanged. Without nlctrl there is no family id to resolve, so one is fixed
//   (option `familyId`, default GENL_MIN_ID 0x10) and written into the spec as
//   its static id; multicast groups without a `value` are numbered 1, 2, ...
//   in spec order.
import { GENL_ID_CTRL, NLMSG_MIN_TYPE, Protocol } from '../../core/constants.js';
import { compileFamily } from '../../schema/compile.js';
import type { Family, OperationCodec } from '../../schema/family.js';
import { loadSpec, parseSpec } from '../../schema/load.js';
import type { FamilySpec, McastGroup } from '../../schema/model.js';

/** Group numbers NETLINK_USERSOCK has (af_netlink.c, netlink_add_usersock_entry: groups = 32). */
export const USERSOCK_GROUPS = 32;
/** Family id a genetlink-style custom family gets unless told otherwise (GENL_MIN_ID). */
export const DEFAULT_CUSTOM_FAMILY_ID = GENL_ID_CTRL;

/** An attribute of a YNL attribute set (any further YNL keys are passed through). */
export interface YnlAttribute {
  /** Attribute name, as requests and replies spell it. */
  readonly name: string;
  /** YNL type: 'u32', 'string', 'nest', 'binary', 'flag' ... */
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A YNL operation (do / dump / notify / event / mcgrp and the other YNL keys). */
export interface YnlOperation {
  /** Operation name, as client calls and server handlers use it. */
  readonly name: string;
  readonly [key: string]: unknown;
}

/** A YNL spec as a JavaScript object: the same keys and nesting as the YAML files. */
export interface YnlSpec {
  /** Family name. */
  readonly name: string;
  /** Message layout: 'netlink-raw' (operation values are message types) or genetlink-style (the default). */
  readonly protocol?: 'netlink-raw' | 'genetlink' | 'genetlink-legacy' | 'genetlink-c';
  /** Netlink protocol; a custom netlink-raw family must use 2 (NETLINK_USERSOCK). */
  readonly protonum?: number;
  /** Free-form description of the family. */
  readonly doc?: string;
  /** Version written into the genlmsghdr of genetlink-style families; 1 when absent. */
  readonly version?: number;
  /** Constants, enums, flags and fixed structs the attributes refer to. */
  readonly definitions?: readonly {
    /** Name the attributes and other definitions refer to it by. */
    readonly name: string;
    /** 'const', 'enum', 'flags' or 'struct'. */
    readonly type: string;
    readonly [key: string]: unknown;
  }[];
  /** The attribute sets, each a list of attributes. */
  readonly 'attribute-sets': readonly {
    /** Name operations and nests refer to the set by. */
    readonly name: string;
    /** The set's attributes; one without a `value` takes the previous one's plus 1 (the first, 1). */
    readonly attributes: readonly YnlAttribute[];
    readonly [key: string]: unknown;
  }[];
  /** The operations; `list` holds one entry per operation. */
  readonly operations: {
    /** One entry per operation. */
    readonly list: readonly YnlOperation[];
    readonly [key: string]: unknown;
  };
  /** Multicast groups; genetlink-style groups without a value are numbered 1, 2 ... in order. */
  readonly 'mcast-groups'?: {
    /** One entry per group. */
    readonly list: readonly {
      /** Name subscribers ask for. */
      readonly name: string;
      /** Group number; required for netlink-raw specs. */
      readonly value?: number;
    }[];
  };
  readonly [key: string]: unknown;
}

/** Names of the operations of a spec object. */
export type OperationNames<S extends YnlSpec> = S['operations']['list'][number]['name'];

/** A family whose operations are known by name. */
export type CustomFamily<Ops extends string = string> = Family<{ readonly [K in Ops]: OperationCodec }>;

/** Options of {@link defineFamily} and {@link loadFamily}. */
export interface CustomFamilyOptions {
  /** nlmsg_type of a genetlink-style family (16..65535). Default 0x10. Not allowed for netlink-raw specs. */
  familyId?: number;
  /** Name used in spec error messages. */
  fileName?: string;
}

/** Checks a loaded spec for NETLINK_USERSOCK and fixes what only a kernel would resolve (family id, group numbers). */
export function usersockSpec(spec: FamilySpec, options: CustomFamilyOptions = {}): FamilySpec {
  let out: FamilySpec;
  if (spec.protocol === 'netlink-raw') {
    if (spec.protonum !== Protocol.USERSOCK) {
      throw new RangeError(`${spec.name}: a custom netlink-raw family runs on NETLINK_USERSOCK, so its protonum must be ${Protocol.USERSOCK}, not ${spec.protonum}`);
    }
    if (options.familyId !== undefined) throw new RangeError(`${spec.name}: familyId only applies to genetlink-style families; netlink-raw message types come from the spec`);
    for (const op of spec.operations) {
      for (const [what, v] of [
        ['request', op.requestValue],
        ['reply', op.replyValue],
      ] as const) {
        if (v !== undefined && v < NLMSG_MIN_TYPE) {
          throw new RangeError(
            `${spec.name}: operation '${op.name}' has ${what} type ${v}; netlink-raw message types below ${NLMSG_MIN_TYPE} are netlink control messages (start with value: ${NLMSG_MIN_TYPE})`,
          );
        }
      }
    }
    out = spec;
  } else {
    const familyId = options.familyId ?? spec.staticFamilyId ?? DEFAULT_CUSTOM_FAMILY_ID;
    if (!Number.isInteger(familyId) || familyId < NLMSG_MIN_TYPE || familyId > 0xffff) {
      throw new RangeError(`familyId must be a message type 16..65535, got ${String(familyId)}`);
    }
    const used = new Set(spec.mcastGroups.map((g) => g.value).filter((v): v is number => v !== undefined));
    let next = 1;
    const mcastGroups = spec.mcastGroups.map((g): McastGroup => {
      if (g.value !== undefined) return g;
      while (used.has(next)) next++;
      used.add(next);
      return { ...g, value: next };
    });
    out = { ...spec, protonum: Protocol.USERSOCK, staticFamilyId: familyId, mcastGroups };
  }
  for (const g of out.mcastGroups) {
    if (g.value === undefined || !Number.isInteger(g.value) || g.value < 1 || g.value > USERSOCK_GROUPS) {
      throw new RangeError(`${spec.name}: multicast group '${g.name}' is ${String(g.value)}; NETLINK_USERSOCK has groups 1..${USERSOCK_GROUPS}`);
    }
  }
  return out;
}

function stringify(spec: unknown): string {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new TypeError('spec must be an object in YNL shape');
  try {
    // JSON is YAML: the object goes through the same loader, checks and
    // defaults as a spec file does.
    return JSON.stringify(spec, (_key, value: unknown) => {
      if (typeof value === 'bigint') {
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`spec value ${value} is too large for a YNL spec number`);
        return Number(value);
      }
      return value;
    });
  } catch (err) {
    if (err instanceof RangeError) throw err;
    throw new TypeError(`spec cannot be serialised: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Builds a custom family from a YNL spec written as a TypeScript object. The
 * operation names become the keys of `family.ops` (and of a server's handlers).
 *
 * ```ts
 * const counter = defineFamily({
 *   name: 'counter', protocol: 'netlink-raw', protonum: 2,
 *   'attribute-sets': [{ name: 'main', attributes: [{ name: 'value', type: 'u32' }] }],
 *   operations: { list: [{ name: 'get', value: 16, 'attribute-set': 'main', do: { reply: { attributes: ['value'] } } }] },
 * });
 * ```
 */
export function defineFamily<const S extends YnlSpec>(spec: S, options: CustomFamilyOptions = {}): CustomFamily<OperationNames<S>> {
  const text = stringify(spec);
  const loaded = parseSpec(text, { fileName: options.fileName ?? `${typeof spec.name === 'string' ? spec.name : 'spec'} (defineFamily)` });
  return compileFamily(usersockSpec(loaded, options)) as unknown as CustomFamily<OperationNames<S>>;
}

/** Loads a custom family from a YNL YAML file (or YAML text), ready for FamilyServer and FamilyClient. */
export function loadFamily(pathOrText: string, options: CustomFamilyOptions = {}): CustomFamily {
  const loaded = loadSpec(pathOrText, options.fileName !== undefined ? { fileName: options.fileName } : {});
  return compileFamily(usersockSpec(loaded, options)) as unknown as CustomFamily;
}
