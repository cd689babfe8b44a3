// Named network namespaces, compatible with iproute2 (`ip netns`): a bind
// mount of a namespace file under /run/netns/NAME.
import { opendir } from 'node:fs/promises';
import { NetlinkSocketError } from '../core/errors.js';
import { nativeBinding, type NativeNetnsTarget, type NativeSystemError } from './native.js';

/** Directory iproute2 keeps named namespaces in. */
export const NETNS_RUN_DIR = '/run/netns';

/** A namespace to open a socket in: a name under /run/netns, or an explicit path, pid or fd. */
export type NetnsTarget = string | NetnsPath | NetnsPid | NetnsFd;

/** A namespace by the path of a file that refers to it (a bind mount, /proc/PID/ns/net). */
export interface NetnsPath {
  /** The file's path. */
  readonly path: string;
}

/** The namespace a process is in. */
export interface NetnsPid {
  /** The process id. */
  readonly pid: number;
}

/** A namespace by an open file descriptor that refers to it. */
export interface NetnsFd {
  /** The descriptor (it stays open; the caller closes it). */
  readonly fd: number;
}

/** Checks a namespace name the way iproute2 does (no '/', not '.' or '..', not empty). */
export function checkNetnsName(name: unknown, field = 'netns'): string {
  if (typeof name !== 'string') throw new TypeError(`${field} must be a string, got ${typeof name}`);
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || name.length > 255) {
    throw new RangeError(`${field}: '${name}' is not a valid namespace name`);
  }
  return name;
}

/** Turns a user's namespace choice into what the addon accepts, validating it first. */
export function resolveNetnsTarget(target: NetnsTarget, field = 'netns'): NativeNetnsTarget {
  if (typeof target === 'string') return { path: `${NETNS_RUN_DIR}/${checkNetnsName(target, field)}` };
  if (target === null || typeof target !== 'object') throw new TypeError(`${field} must be a name, { path }, { pid } or { fd }`);
  if ('path' in target) {
    if (typeof target.path !== 'string' || target.path === '') throw new TypeError(`${field}.path must be a non-empty string`);
    return { path: target.path };
  }
  if ('pid' in target) {
    if (!Number.isInteger(target.pid) || target.pid <= 0) throw new RangeError(`${field}.pid must be a positive integer, got ${String(target.pid)}`);
    return { pid: target.pid };
  }
  if ('fd' in target) {
    if (!Number.isInteger(target.fd) || target.fd < 0) throw new RangeError(`${field}.fd must be a non-negative integer, got ${String(target.fd)}`);
    return { fd: target.fd };
  }
  throw new TypeError(`${field} must be a name, { path }, { pid } or { fd }`);
}

/** A system error of the addon as nlkit's system error class; anything else unchanged. */
function systemError(err: unknown, fallbackSyscall: string): unknown {
  const e = err as NativeSystemError | null;
  return e !== null && typeof e === 'object' && typeof e.syscall === 'string' ? NetlinkSocketError.from(e, fallbackSyscall) : err;
}

/**
 * Creates /run/netns/NAME holding a new, empty network namespace (like `ip netns add`).
 * Fails with a NetlinkSocketError, e.g. "EEXIST: file exists, open '/run/netns/NAME'".
 */
export async function create(name: string): Promise<void> {
  const checked = checkNetnsName(name, 'name');
  try {
    nativeBinding().netnsCreate(checked);
  } catch (err) {
    throw systemError(err, 'open');
  }
}

/**
 * Removes a named namespace (like `ip netns del`); it lives on while sockets or processes use it.
 * Fails with a NetlinkSocketError, e.g. "ENOENT: no such file or directory, unlink '/run/netns/NAME'".
 */
export async function remove(name: string): Promise<void> {
  const checked = checkNetnsName(name, 'name');
  try {
    nativeBinding().netnsDelete(checked);
  } catch (err) {
    throw systemError(err, 'unlink');
  }
}

/** Names of the namespaces under /run/netns, in directory order (as `ip netns list` prints them). */
export async function list(): Promise<string[]> {
  try {
    // readdir() sorts its result; opendir() reads the entries in the directory's own order.
    const names: string[] = [];
    for await (const entry of await opendir(NETNS_RUN_DIR)) names.push(entry.name);
    return names;
  } catch (err) {
    if ((err as NativeSystemError).code === 'ENOENT') return [];
    throw err;
  }
}

/** True when /run/netns/NAME exists. */
export async function exists(name: string): Promise<boolean> {
  return (await list()).includes(checkNetnsName(name, 'name'));
}

/** Inode of the calling thread's network namespace (equal inodes: same namespace). */
export function currentInode(): number {
  return nativeBinding().currentNetnsInode();
}
