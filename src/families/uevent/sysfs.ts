// The device side of a uevent: its attributes are files under
// /sys + DEVPATH (Documentation/ABI, Documentation/filesystems/sysfs.rst).
//
// The limit that matters: sysfs shows the network devices of the namespace
// that mounted it (fs/sysfs/mount.c tags the superblock with the mounting
// process's net namespace; `ip netns exec` mounts a fresh /sys for that
// reason). A process that listens to another namespace's uevents through a
// socket opened there still sees the host's /sys, where a device of the same
// name may be another device or none; UeventSocket refuses to read those.
import { readFile } from 'node:fs/promises';

/** Where sysfs is mounted. */
export const SYSFS_ROOT = '/sys';

/** Options of {@link readSysfsAttribute}. */
export interface SysfsReadOptions {
  /** sysfs mount point (default /sys); another root suits tests. */
  root?: string;
}

function checkRelative(value: unknown, field: string, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string, got ${typeof value}`);
  if (value.includes('\0')) throw new RangeError(`${field} must not contain NUL`);
  if (!allowEmpty && value === '') throw new RangeError(`${field} must not be empty`);
  for (const segment of value.split('/')) {
    if (segment === '..' || segment === '.') throw new RangeError(`${field} '${value}' must not contain '${segment}' segments`);
  }
  return value;
}

/**
 * The file of a device attribute: `/sys` + devpath + '/' + name (name may go
 * down into sub-directories, e.g. 'statistics/rx_bytes'). Throws a TypeError
 * or RangeError for a devpath that does not start with '/', or a path that
 * would leave the device's directory ('..').
 */
export function sysfsPath(devpath: string, name: string, options: SysfsReadOptions = {}): string {
  checkRelative(devpath, 'devpath', false);
  if (!devpath.startsWith('/')) throw new RangeError(`devpath '${devpath}' must start with '/'`);
  checkRelative(name, 'attribute name', false);
  if (name.startsWith('/')) throw new RangeError(`attribute name '${name}' must be relative to the device`);
  const root = options.root ?? SYSFS_ROOT;
  return `${root}${devpath.replace(/\/+$/, '')}/${name}`;
}

/**
 * Reads one attribute of a device, e.g. readSysfsAttribute('/devices/virtual/net/lo', 'mtu')
 * → '65536'. The final newline sysfs adds is removed. Resolves with
 * undefined when the device or the attribute does not exist (a device
 * removed since its event); other failures (EACCES, EINVAL of an attribute
 * the device cannot report now, EISDIR) reject with Node's error.
 */
export async function readSysfsAttribute(devpath: string, name: string, options: SysfsReadOptions = {}): Promise<string | undefined> {
  const file = sysfsPath(devpath, name, options);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * True for events about network devices and their queues: the kernel sends
 * those only to the namespace that owns the device (kobject_uevent_net_broadcast()
 * in lib/kobject_uevent.c), and only that namespace's sysfs shows them.
 */
export function isNetworkDeviceEvent(event: { subsystem: string; devpath: string; env: Readonly<Record<string, string>> }): boolean {
  return event.subsystem === 'net' || event.subsystem === 'queues' || event.env.INTERFACE !== undefined || /\/net\/[^/]+(\/|$)/.test(event.devpath);
}
