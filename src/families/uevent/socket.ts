// UeventSocket: kobject uevents as an async iterator of typed events, read
// from NETLINK_KOBJECT_UEVENT in the current namespace or another one.
//
// Which events a namespace sees (lib/kobject_uevent.c,
// kobject_uevent_net_broadcast()): a network device's events (and its
// queues') go only to the namespace that owns the device; every other
// device's events go to all namespaces owned by the initial user namespace.
import { statSync } from 'node:fs';
import { NetlinkDecodeError, NlkitError } from '../../core/errors.js';
import { Protocol } from '../../core/constants.js';
import { NetlinkSocket } from '../../io/socket.js';
import { currentInode, resolveNetnsTarget, type NetnsTarget } from '../../io/netns.js';
import type { Datagram, Subscription } from '../../io/subscription.js';
import { DecodedSubscription } from '../../io/decoded.js';
import { UEVENT_GROUP_KERNEL, UEVENT_GROUP_UDEV, decodeUevent, type UeventData } from './decode.js';
import { isNetworkDeviceEvent, readSysfsAttribute } from './sysfs.js';

/** Options of {@link UeventSocket.open}. */
export interface UeventOpenOptions {
  /** Listen in another network namespace: a name under /run/netns, or { path }, { pid }, { fd }. */
  netns?: NetnsTarget;
  /**
   * Also accept udev's re-broadcast (group 2), sent from user space after
   * udev processed an event. Off by default: only the kernel is heard. The
   * kernel lets only senders with CAP_NET_ADMIN multicast there, but any of
   * them can: nlkit cannot see the sender's credentials that udev checks.
   */
  udev?: boolean;
  /** Receive buffer in bytes (default nlkit's, 32 MiB where permitted). */
  rcvbuf?: number;
}

/** Options of {@link UeventSocket.subscribe}. */
export interface UeventSubscribeOptions {
  /** Ends the iterator (it throws an AbortError). */
  signal?: AbortSignal;
  /** Events queued before the socket pauses reading (default 16384). */
  maxQueue?: number;
  /** Which events: the kernel's (default), udev's (needs open({ udev: true })), or both ('all', the default with udev). */
  source?: 'kernel' | 'udev' | 'all';
  /** Only events of these subsystems (SUBSYSTEM), e.g. ['net']. Default: all. */
  subsystems?: readonly string[];
  /**
   * Called for a datagram that is not a valid uevent, which is then
   * skipped. Without it the iterator throws that NetlinkDecodeError and ends.
   */
  onMalformed?: (error: NetlinkDecodeError, bytes: Uint8Array) => void;
}

/** A uevent as a UeventSocket yields it: the decoded event, and its device's sysfs attributes on request. */
export class Uevent implements UeventData {
  readonly action: UeventData['action'];
  readonly devpath: string;
  readonly subsystem: string;
  readonly seqnum: bigint;
  readonly env: Readonly<Record<string, string>>;
  readonly source: 'kernel' | 'udev';
  /** The nsid of the namespace the event came from (sockets opened with listenAllNsid only; normally undefined). */
  readonly nsid: number | undefined;
  readonly #foreign: boolean;

  /** @internal */
  constructor(data: UeventData, foreign: boolean, nsid: number | undefined) {
    this.action = data.action;
    this.devpath = data.devpath;
    this.subsystem = data.subsystem;
    this.seqnum = data.seqnum;
    this.env = data.env;
    this.source = data.source;
    this.nsid = nsid;
    this.#foreign = foreign;
  }

  /**
   * Reads an attribute of the event's device under /sys (see
   * readSysfsAttribute): undefined when the device or attribute is gone.
   * Rejects with code ERR_SYSFS_OTHER_NETNS for a network device of another
   * namespace than this process's: /sys shows this process's namespace only.
   */
  async sysfs(name: string): Promise<string | undefined> {
    if (this.#foreign && isNetworkDeviceEvent(this)) {
      throw new NlkitError(
        `cannot read ${name} of ${this.devpath}: the device belongs to another network namespace, and /sys shows this process's own (read it from a process in that namespace, e.g. under ip netns exec)`,
        'ERR_SYSFS_OTHER_NETNS',
      );
    }
    return readSysfsAttribute(this.devpath, name);
  }
}

/** Inode of a namespace target's file, or undefined when it cannot be read. */
function targetInode(target: NetnsTarget): number | undefined {
  const resolved = resolveNetnsTarget(target);
  const file = 'path' in resolved ? resolved.path : 'pid' in resolved ? `/proc/${resolved.pid}/ns/net` : `/proc/self/fd/${resolved.fd}`;
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

/** kobject uevents of one network namespace (see the module comment for which). */
export class UeventSocket {
  /** True when opened with { udev: true }: udev's re-broadcasts can be heard. */
  readonly udev: boolean;
  /** True when the socket listens in another namespace than this process's (its network devices are not in this /sys). */
  readonly foreignNetns: boolean;

  private constructor(
    /** The underlying socket (datagram framing). */
    readonly socket: NetlinkSocket,
    udev: boolean,
    foreign: boolean,
  ) {
    this.udev = udev;
    this.foreignNetns = foreign;
  }

  /** Opens a NETLINK_KOBJECT_UEVENT socket, optionally in another namespace. */
  static async open(options: UeventOpenOptions = {}): Promise<UeventSocket> {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.udev !== undefined && typeof options.udev !== 'boolean') throw new TypeError('udev must be true or false');
    const socket = await NetlinkSocket.open(Protocol.KOBJECT_UEVENT, {
      framing: 'datagram',
      userSenders: options.udev === true,
      ...(options.netns !== undefined ? { netns: options.netns } : {}),
      ...(options.rcvbuf !== undefined ? { rcvbuf: options.rcvbuf } : {}),
    });
    let foreign = false;
    if (options.netns !== undefined) {
      const inode = targetInode(options.netns);
      // A namespace file that cannot be stat()ed now counts as another namespace (the safe side).
      foreign = inode === undefined || inode !== currentInode();
    }
    return new UeventSocket(socket, options.udev === true, foreign);
  }

  /**
   * Wraps a NETLINK_KOBJECT_UEVENT socket opened elsewhere (with datagram
   * framing): a FakeKernel's in tests. `udev` must match the socket's
   * userSenders; `foreignNetns` says its devices are not in this /sys.
   */
  static fromSocket(socket: NetlinkSocket, options: { udev?: boolean; foreignNetns?: boolean } = {}): UeventSocket {
    if (!(socket instanceof NetlinkSocket)) throw new TypeError('socket must be a NetlinkSocket');
    if (socket.protocol !== Protocol.KOBJECT_UEVENT || socket.framing !== 'datagram') throw new TypeError('socket must be a NETLINK_KOBJECT_UEVENT socket with datagram framing');
    return new UeventSocket(socket, options.udev === true, options.foreignNetns === true);
  }

  /** Joins the uevent groups and yields events as they come, overruns in-band. */
  subscribe(options: UeventSubscribeOptions = {}): UeventSubscription {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const source = options.source ?? (this.udev ? 'all' : 'kernel');
    if (source !== 'kernel' && source !== 'udev' && source !== 'all') throw new RangeError(`source must be 'kernel', 'udev' or 'all', got ${String(source)}`);
    if (source !== 'kernel' && !this.udev) throw new TypeError(`source '${source}' needs a socket opened with { udev: true }`);
    if (options.subsystems !== undefined && (!Array.isArray(options.subsystems) || options.subsystems.some((s) => typeof s !== 'string'))) {
      throw new TypeError('subsystems must be an array of strings');
    }
    if (options.onMalformed !== undefined && typeof options.onMalformed !== 'function') throw new TypeError('onMalformed must be a function');
    const groups = source === 'kernel' ? [UEVENT_GROUP_KERNEL] : source === 'udev' ? [UEVENT_GROUP_UDEV] : [UEVENT_GROUP_KERNEL, UEVENT_GROUP_UDEV];
    const sub = this.socket.subscribeDatagrams(groups, {
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
    });
    return new UeventSubscription(sub, this.foreignNetns, options.subsystems ? new Set(options.subsystems) : undefined, options.onMalformed);
  }

  /** Closes the socket; subscriptions end. Idempotent. */
  close(): void {
    this.socket.close();
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.socket.closed;
  }

  /** Closes the socket, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** Typed uevents with overruns in-band. Leaving a for-await loop ends it (the socket stays open). */
export class UeventSubscription extends DecodedSubscription<Datagram, Uevent> {
  /** Datagrams on the kernel's group that did not come from the kernel (dropped). */
  spoofed = 0;

  /** @internal */
  constructor(
    sub: Subscription<Datagram>,
    private readonly foreign: boolean,
    private readonly subsystems: ReadonlySet<string> | undefined,
    onMalformed: ((error: NetlinkDecodeError, bytes: Uint8Array) => void) | undefined,
  ) {
    super(sub, onMalformed && ((err: NetlinkDecodeError, d: Datagram) => onMalformed(err, d.bytes)));
  }

  /** Decodes one item (undefined: skip it). */
  protected decode(d: Datagram): Uevent | undefined {
    // With udev on, the socket hears user space on every group: the
    // kernel's group is still the kernel's alone.
    if (d.group === UEVENT_GROUP_KERNEL && d.senderPort !== 0) {
      this.spoofed++;
      return undefined;
    }
    const data: UeventData = decodeUevent(d.bytes);
    if (this.subsystems && !this.subsystems.has(data.subsystem)) return undefined;
    return new Uevent(data, this.foreign, d.nsid);
  }
}
