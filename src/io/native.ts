// The one file that loads the native addon and gives it a TypeScript type.
// Everything else in src/io talks to the addon through these types.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { NetlinkSocketError, NlkitError } from '../core/errors.js';

/**
 * A failed system call as the addon reports it (the shape of Node's system errors).
 * With a path the message reads like Node's fs errors: "ENOENT: no such file or
 * directory, open '/run/netns/nope'"; without one, "socket failed: EPROTONOSUPPORT (...)".
 */
export interface NativeSystemError extends Error {
  errno?: number;
  code?: string;
  syscall?: string;
  path?: string;
}

/** Where a socket is opened: the caller's namespace, or another one. */
export type NativeNetnsTarget = { readonly path: string } | { readonly pid: number } | { readonly fd: number };

/**
 * Frame table layout: FRAME_WORDS u32 per received datagram.
 * [offset in slab, length, sender port id, multicast group (NETLINK_PKTINFO, 0 for unicast),
 *  nsid (NETLINK_LISTEN_ALL_NSID cmsg, NSID_NONE when absent), flags (FRAME_*)]
 */
export const FRAME_WORDS = 6;
export const FRAME_OFFSET = 0;
export const FRAME_LENGTH = 1;
export const FRAME_PORT = 2;
export const FRAME_GROUP = 3;
export const FRAME_NSID = 4;
export const FRAME_FLAGS = 5;
/** The datagram was longer than the space given; `length` is the real size, the slab holds a prefix. */
export const FRAME_TRUNCATED = 1;
/** recvmsg failed with ENOBUFS here: the kernel dropped messages. No bytes belong to this frame. */
export const FRAME_OVERRUN = 2;
/** The nsid word of a frame when the kernel attached none. */
export const NSID_NONE = 0xffffffff;

/** One AF_NETLINK socket owned by the addon. */
export interface NativeSocket {
  /** Port id the kernel bound the socket to. */
  readonly portId: number;
  /** The file descriptor, -1 after close. */
  readonly fd: number;
  /** setsockopt(SOL_NETLINK, option, int). */
  setNetlinkOption(option: number, value: number): void;
  /** getsockopt(SOL_NETLINK, option) as an int. */
  getNetlinkOption(option: number): number;
  /** SO_RCVBUF (force: SO_RCVBUFFORCE); returns the size the kernel reports afterwards. */
  setReceiveBuffer(bytes: number, force: boolean): number;
  /** SO_SNDBUF; returns the size the kernel reports afterwards. */
  setSendBuffer(bytes: number): number;
  /** SO_ATTACH_FILTER with a classic BPF program: 8 bytes per instruction (u16 code, u8 jt, u8 jf, u32 k). */
  attachFilter(program: Uint8Array): void;
  /** SO_DETACH_FILTER. */
  detachFilter(): void;
  /**
   * sendto() the bytes to (port, groups), then, when `receive` > 0, reads up to that many
   * datagrams as receiveNow() does. Returns -2 when the kernel said EAGAIN and the bytes
   * were copied into the native queue to be retried on writable; else what the read
   * returned (0 when `receive` is 0).
   */
  send(bytes: Uint8Array, port: number, groups: number, receive?: number): number;
  /**
   * Reads now, on the calling thread, up to `limit` datagrams the kernel has already queued
   * for the socket (the kernel answers most requests inside the sendto() that carries them)
   * and calls the batch callback with them before returning. Returns how many it read (0:
   * none queued), or -1 while the socket cannot read now (paused, a read-ahead owns it, the
   * slab waits for JS); the poll reads what is left.
   */
  receiveNow(limit: number): number;
  /**
   * Hands native the slab to receive into, starting at byte `offset`, and the frame table.
   * Native writes datagrams back to back at 4-byte aligned offsets from `offset` on.
   * Throws while a read-ahead writes into the current slab: call it only when a batch
   * says `slabFull` or leaves less than `maxDatagram` bytes after `slabOffset`.
   */
  setSlab(slab: Uint8Array, offset: number, frames: Uint32Array): void;
  /**
   * Gives native the next slab ahead of time (at least `maxDatagram` bytes): when the
   * current one fills, reading goes on in it without waiting for JS, and the batch
   * callback says `switched` after the last frames of the old slab. Replaces an unused spare;
   * throws while a read-ahead writes into the spare given before (call it when a batch says
   * `switched`, or when no spare was given).
   */
  setSpareSlab(slab: Uint8Array): void;
  /**
   * Next free byte of the current slab (where the next datagram will land); while a
   * read-ahead runs, the end of what was delivered (it always leaves `maxDatagram` free).
   */
  readonly slabOffset: number;
  /** Starts polling (once); the batch callback runs on the loop. */
  start(): void;
  /** Stops reading (uv_poll_stop; a read-ahead stops after the datagram in hand); the kernel buffers meanwhile. */
  pause(): void;
  /** Restarts reading after pause(). */
  resume(): void;
  ref(): void;
  unref(): void;
  /** Idempotent. Safe from inside the batch callback. */
  close(): void;
}

/**
 * Called once per receive batch with the number of frames written to the
 * frame table. Native stops a batch at EAGAIN, when the frame table is full,
 * or when the slab's free tail is below one maximum datagram (`slabFull` true:
 * JS must call setSlab with fresh space before reading can go on). Multicast
 * datagrams are read on the loop until EAGAIN; when a unicast stream (a dump)
 * keeps coming, the addon's own read-ahead thread (not the libuv threadpool)
 * receives the next datagrams into the slab's free tail, then the spare,
 * while the callback runs, and they are delivered about one at a time.
 * `error` is a system error (errno, code, syscall) for an unexpected recvmsg failure.
 * `switched`: this batch's frames are in the slab that was current until now;
 * from the next batch on, the spare given with setSpareSlab is the current slab.
 */
export type NativeBatchCallback = (frames: number, slabFull: boolean, error: NativeSystemError | null, switched: boolean) => void;

export interface NativeBinding {
  /** False on platforms without AF_NETLINK (the stub build). */
  readonly supported: boolean;
  /** Largest datagram native reserves room for in the slab. */
  readonly maxDatagram: number;
  readonly Socket: new (protocol: number, groups: number, netns: NativeNetnsTarget | null, onBatch: NativeBatchCallback) => NativeSocket;
  /**
   * Creates a named namespace the way iproute2 does (bind mount under /run/netns).
   * Throws a NativeSystemError naming the file (e.g. syscall 'open', path '/run/netns/NAME').
   */
  netnsCreate(name: string): void;
  /** Unmounts and removes /run/netns/NAME; throws a NativeSystemError (syscall 'unlink', that path) when it cannot. */
  netnsDelete(name: string): void;
  /**
   * One round of tun ioctls on a fresh /dev/net/tun fd, then close: TUNSETIFF(name, flags),
   * TUNSETOWNER(owner) and TUNSETGROUP(group) unless -1, TUNSETPERSIST(persist). With a
   * `netns` it all runs on a helper thread that entered that namespace (where the device
   * then lives). persist false needs an existing device (ENODEV from 'if_nametoindex'
   * otherwise). Returns the device's name as TUNSETIFF gave it back.
   */
  tuntapSet(name: string, flags: number, owner: number, group: number, persist: boolean, netns: NativeNetnsTarget | null): string;
  /**
   * One ioctl(SIOCADDMULTI) (`add`) or ioctl(SIOCDELMULTI) on a fresh socket(family, SOCK_DGRAM):
   * ifr_name `name`, ifr_hwaddr.sa_data `address` (at most 14 bytes, sa_family AF_UNSPEC).
   * With a `netns` it runs on a helper thread that entered that namespace. Throws a
   * NativeSystemError (syscall 'socket', 'ioctl(SIOCADDMULTI)' or 'ioctl(SIOCDELMULTI)').
   */
  ifreqMulticast(add: boolean, family: number, name: string, address: Uint8Array, netns: NativeNetnsTarget | null): void;
  /** Inode of the namespace the calling thread is in (for checks that nothing moved). */
  currentNetnsInode(): number;
}

let cached: NativeBinding | undefined;

/** Loads the addon on first use (never on import). */
export function nativeBinding(): NativeBinding {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const load = require('node-gyp-build') as (dir: string) => unknown;
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/io or dist/io: the package root is two levels up.
  cached = load(path.resolve(here, '..', '..')) as NativeBinding;
  return cached;
}

/**
 * Calls an entry point of the addon that an older build (an old prebuild)
 * may lack, naming what it is for when it does; a failed system call it
 * reports becomes a NetlinkSocketError (code, errno, syscall, path).
 */
export function callEntry<K extends 'tuntapSet' | 'ifreqMulticast', R>(entry: K, feature: string, call: (fn: NativeBinding[K]) => R): R {
  const fn = nativeBinding()[entry];
  if (typeof fn !== 'function') throw new NlkitError(`the native addon has no ${feature} support: rebuild it (npm run build:native)`, 'ERR_NLKIT_ADDON_OUTDATED');
  try {
    return call(fn);
  } catch (err) {
    if (err instanceof Error && typeof (err as NativeSystemError).code === 'string' && (err as NativeSystemError).syscall !== undefined)
      throw NetlinkSocketError.from(err as NativeSystemError, entry);
    throw err;
  }
}
