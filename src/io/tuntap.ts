// tun/tap devices, made the way `ip tuntap` makes them: ioctls on
// /dev/net/tun (TUNSETIFF, TUNSETOWNER, TUNSETGROUP, TUNSETPERSIST), because
// the kernel refuses RTM_NEWLINK for kind "tun" (tun_validate() in
// drivers/net/tun.c: "tun/tap creation via rtnetlink is not supported").
// A device is created in the namespace of the thread that opens
// /dev/net/tun: for another namespace the addon does it on a helper thread
// that entered it, never on the main thread.
import { checkBool, checkIfname, checkInteger, describe } from '../core/check.js';
import { callEntry, type NativeNetnsTarget } from './native.js';
import { resolveNetnsTarget, type NetnsTarget } from './netns.js';

// ifr_flags of TUNSETIFF (include/uapi/linux/if_tun.h).
/** A layer-3 device: IP packets, no link-layer header. */
export const IFF_TUN = 0x0001;
/** A layer-2 device: Ethernet frames. */
export const IFF_TAP = 0x0002;
/** No struct tun_pi before each packet. */
export const IFF_NO_PI = 0x1000;
/** Accepted for compatibility; Linux ignores it since 3.8. */
export const IFF_ONE_QUEUE = 0x2000;
/** A struct virtio_net_hdr before each packet. */
export const IFF_VNET_HDR = 0x4000;
/** TUNSETIFF fails with EBUSY instead of attaching to an existing device. */
export const IFF_TUN_EXCL = 0x8000;
/** Several queues (one fd each). */
export const IFF_MULTI_QUEUE = 0x0100;

/** (uid_t)-1 and (gid_t)-1 mean "no owner" to the kernel; the addon takes -1 for "leave it alone". */
const NO_ID = 0xffffffff;

/** tun: IP packets; tap: Ethernet frames. */
export type TuntapMode = 'tun' | 'tap';

/** A tun/tap device to create (persistent, like `ip tuntap add`). */
export interface TuntapCreateOptions {
  /** 1..15 bytes; a '%d' in it is a template the kernel fills ('tap%d' -> 'tap0'). */
  name: string;
  /** 'tun' for IP packets, 'tap' for Ethernet frames. */
  mode: TuntapMode;
  /** Namespace to create it in: a name under /run/netns, or { path }, { pid }, { fd }. Default: the current one. */
  netns?: NetnsTarget;
  /** Prefix each packet with struct tun_pi (default false, as `ip tuntap`: IFF_NO_PI). */
  pi?: boolean;
  /** Prefix each packet with struct virtio_net_hdr (IFF_VNET_HDR). */
  vnetHdr?: boolean;
  /** One fd per queue (IFF_MULTI_QUEUE); removing the device then needs `multiQueue: true` too. */
  multiQueue?: boolean;
  /** IFF_ONE_QUEUE, `ip tuntap`'s one_queue: kept in the device's flags, ignored by Linux since 3.8. */
  oneQueue?: boolean;
  /** uid allowed to attach to the device (TUNSETOWNER). */
  owner?: number;
  /** gid allowed to attach to the device (TUNSETGROUP). */
  group?: number;
}

/** A tun/tap device to remove (like `ip tuntap del`). */
export interface TuntapRemoveOptions {
  /** Name of the device to remove. */
  name: string;
  /** The device's mode: the kernel refuses (EINVAL) to attach to a device of the other mode. */
  mode: TuntapMode;
  /** Namespace the device is in: a name under /run/netns, or { path }, { pid }, { fd }. Default: the current one. */
  netns?: NetnsTarget;
  /** Must match the device (EINVAL otherwise). */
  multiQueue?: boolean;
}

/** The addon's arguments for one round of tun ioctls. */
export interface TuntapCall {
  /** Device name, possibly a '%d' template. */
  name: string;
  /** IFF_* flags for TUNSETIFF. */
  flags: number;
  /** uid for TUNSETOWNER, or -1 for none. */
  owner: number;
  /** gid for TUNSETGROUP, or -1 for none. */
  group: number;
  /** true keeps the device after the fd closes (create); false drops persistence so it goes away (remove). */
  persist: boolean;
  /** Namespace to run the ioctls in; null for the current one. */
  netns: NativeNetnsTarget | null;
}

const CREATE_KEYS = new Set(['name', 'mode', 'netns', 'pi', 'vnetHdr', 'multiQueue', 'oneQueue', 'owner', 'group']);
const REMOVE_KEYS = new Set(['name', 'mode', 'netns', 'multiQueue']);

function checkOptions(x: unknown, keys: ReadonlySet<string>, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new TypeError(`options must be an object, got ${describe(x)}`);
  for (const k of Object.keys(x)) {
    if (!keys.has(k)) throw new TypeError(`${k}: not an option of ${what} (options: ${[...keys].join(', ')})`);
  }
  return x as Record<string, unknown>;
}

function checkMode(x: unknown): number {
  if (x === 'tun') return IFF_TUN;
  if (x === 'tap') return IFF_TAP;
  throw new RangeError(`mode must be 'tun' or 'tap', got ${describe(x)}`);
}

function checkFlag(o: Record<string, unknown>, field: string, bit: number): number {
  const v = o[field];
  if (v === undefined) return 0;
  return checkBool(v, field) ? bit : 0;
}

function checkId(o: Record<string, unknown>, field: 'owner' | 'group'): number {
  const v = o[field];
  if (v === undefined) return -1;
  // (uid_t)-1 is no id at all: TUNSETOWNER refuses it with EINVAL.
  return checkInteger(v, field, 0, NO_ID - 1);
}

function checkNetns(o: Record<string, unknown>): NativeNetnsTarget | null {
  return o.netns === undefined ? null : resolveNetnsTarget(o.netns as NetnsTarget, 'netns');
}

/** Checks the options of {@link create} and returns the addon's arguments; throws TypeError / RangeError naming the option. */
export function createCall(options: TuntapCreateOptions): TuntapCall {
  const o = checkOptions(options, CREATE_KEYS, 'tuntap.create');
  const name = checkIfname(o.name, 'name');
  let flags = checkMode(o.mode) | IFF_TUN_EXCL;
  // pi is the one switch that clears a bit: the default (as ip's) is IFF_NO_PI.
  if (!checkFlag(o, 'pi', 1)) flags |= IFF_NO_PI;
  flags |= checkFlag(o, 'vnetHdr', IFF_VNET_HDR) | checkFlag(o, 'multiQueue', IFF_MULTI_QUEUE) | checkFlag(o, 'oneQueue', IFF_ONE_QUEUE);
  return { name, flags, owner: checkId(o, 'owner'), group: checkId(o, 'group'), persist: true, netns: checkNetns(o) };
}

/** Checks the options of {@link remove} and returns the addon's arguments; throws TypeError / RangeError naming the option. */
export function removeCall(options: TuntapRemoveOptions): TuntapCall {
  const o = checkOptions(options, REMOVE_KEYS, 'tuntap.remove');
  const name = checkIfname(o.name, 'name');
  const flags = checkMode(o.mode) | IFF_NO_PI | checkFlag(o, 'multiQueue', IFF_MULTI_QUEUE);
  return { name, flags, owner: -1, group: -1, persist: false, netns: checkNetns(o) };
}

/**
 * Runs one round of tun ioctls as checked by {@link createCall} / {@link removeCall}
 * (or built by a caller that needs ip's exact flags) and returns the device's name.
 * Failures are system errors with `errno`, `code` and `syscall` ('open',
 * 'ioctl(TUNSETIFF)', 'ioctl(TUNSETOWNER)' ..., 'if_nametoindex' when a device
 * to remove does not exist).
 */
export function run(call: TuntapCall): string {
  return callEntry('tuntapSet', 'tun/tap', (tuntapSet) => tuntapSet(call.name, call.flags, call.owner, call.group, call.persist, call.netns));
}

/**
 * Creates a persistent tun/tap device (like `ip tuntap add`), in `netns` when
 * given; resolves with its name (the kernel's, when `name` is a template).
 * Fails with EBUSY when a device of that name exists.
 */
export async function create(options: TuntapCreateOptions): Promise<string> {
  return run(createCall(options));
}

/**
 * Removes a persistent tun/tap device (like `ip tuntap del`); `mode` and
 * `multiQueue` must match the device. Fails with ENODEV when there is none,
 * EINVAL when it is not a tun/tap device of that mode, EBUSY while a process
 * has it open.
 */
export async function remove(options: TuntapRemoveOptions): Promise<void> {
  run(removeCall(options));
}
