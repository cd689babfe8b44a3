// kobject uevents are not netlink messages: a datagram on
// NETLINK_KOBJECT_UEVENT is text, `ACTION@DEVPATH\0KEY=VALUE\0KEY=VALUE\0…`
// (lib/kobject_uevent.c, kobject_uevent_env(): the header, then every
// add_uevent_var() with its NUL). udev re-broadcasts each event it has
// processed from user space on group 2 in its own format: a binary header
// ("libudev\0", a big-endian magic, offsets in host order) followed by the
// same KEY=VALUE\0 list (systemd src/libsystemd/sd-device/device-monitor.c,
// struct monitor_netlink_header and device_monitor_send()).
import { HOST_LITTLE_ENDIAN, dataViewOf, decodeString } from '../../core/bytes.js';
import { NetlinkDecodeError } from '../../core/errors.js';

/** Multicast group of the kernel's uevents (udev's MONITOR_GROUP_KERNEL). */
export const UEVENT_GROUP_KERNEL = 1;
/** Multicast group udev re-broadcasts processed events on (MONITOR_GROUP_UDEV), from user space. */
export const UEVENT_GROUP_UDEV = 2;
/** monitor_netlink_header.magic, stored big-endian (UDEV_MONITOR_MAGIC). */
export const UDEV_MONITOR_MAGIC = 0xfeedcafe;
/** The first 8 bytes of a udev datagram: "libudev" and its NUL. */
const LIBUDEV_PREFIX = [0x6c, 0x69, 0x62, 0x75, 0x64, 0x65, 0x76, 0x00] as const;
/** Bytes of struct monitor_netlink_header up to properties_len (what must be there to find the properties). */
const UDEV_HEADER_MIN = 24;

/** The actions the kernel sends (kobject_actions[] in lib/kobject_uevent.c); other text is kept as it is. */
export type UeventAction = 'add' | 'remove' | 'change' | 'move' | 'online' | 'offline' | 'bind' | 'unbind';

/** A decoded uevent: what happened to which device, and every KEY=VALUE the sender gave. */
export interface UeventData {
  /** ACTION: 'add', 'remove', 'change', 'move', 'online', 'offline', 'bind', 'unbind'. */
  readonly action: UeventAction | (string & {});
  /** DEVPATH: the device's path under /sys, e.g. '/devices/virtual/net/v0'. */
  readonly devpath: string;
  /** SUBSYSTEM, e.g. 'net', 'block', 'queues'. */
  readonly subsystem: string;
  /** SEQNUM: the kernel's uevent sequence number. */
  readonly seqnum: bigint;
  /** Every KEY=VALUE of the event in the order sent (ACTION, DEVPATH, SUBSYSTEM and SEQNUM included). */
  readonly env: Readonly<Record<string, string>>;
  /** Who sent it: the kernel, or udev after processing it (re-broadcast, with udev's own properties added). */
  readonly source: 'kernel' | 'udev';
}

const AT = 0x40;
const EQ = 0x3d;
const SLASH = 0x2f;

function fail(message: string, offset: number, context: string): never {
  throw new NetlinkDecodeError(message, offset, context);
}

/** Index of the first NUL in bytes[from, end), or -1. */
function nulAt(bytes: Uint8Array, from: number, end: number): number {
  const i = bytes.subarray(from, end).indexOf(0);
  return i < 0 ? -1 : from + i;
}

function setEnv(env: Record<string, string>, key: string, value: string): void {
  // A key named like Object.prototype's accessor must become a plain property.
  if (key === '__proto__') Object.defineProperty(env, key, { value, enumerable: true, writable: true, configurable: true });
  else env[key] = value;
}

/**
 * Reads `KEY=VALUE\0` entries from bytes[from, end). Empty entries are
 * skipped (a udev property list ends with an extra NUL); an entry without
 * '=' or without its NUL is an error. A key given twice keeps its last value.
 */
function readEnv(bytes: Uint8Array, from: number, end: number, context: string): Record<string, string> {
  const env: Record<string, string> = {};
  let pos = from;
  while (pos < end) {
    const stop = nulAt(bytes, pos, end);
    if (stop < 0) fail(`entry '${decodeString(bytes, pos, Math.min(end, pos + 64))}' is not NUL-terminated`, pos, context);
    if (stop > pos) {
      const eq = bytes.subarray(pos, stop).indexOf(EQ);
      if (eq <= 0) fail(eq === 0 ? 'entry has an empty key' : `entry '${decodeString(bytes, pos, Math.min(stop, pos + 64))}' has no '='`, pos, context);
      setEnv(env, decodeString(bytes, pos, pos + eq), decodeString(bytes, pos + eq + 1, stop));
    }
    pos = stop + 1;
  }
  return env;
}

/** Offset of the value of `KEY=` in bytes[from, end), for error messages; `from` when not found. */
function valueOffset(bytes: Uint8Array, from: number, end: number, key: string): number {
  const needle = new TextEncoder().encode(`${key}=`);
  for (let pos = from; pos < end;) {
    const stop = nulAt(bytes, pos, end);
    const entryEnd = stop < 0 ? end : stop;
    if (entryEnd - pos >= needle.length && needle.every((b, i) => bytes[pos + i] === b)) return pos + needle.length;
    pos = entryEnd + 1;
  }
  return from;
}

/** Checks the properties every uevent has and builds the object. */
function finish(
  bytes: Uint8Array,
  env: Record<string, string>,
  action: string,
  devpath: string,
  from: number,
  end: number,
  source: 'kernel' | 'udev',
  context: string,
): UeventData {
  const subsystem = env.SUBSYSTEM;
  if (subsystem === undefined) fail('uevent has no SUBSYSTEM', from, context);
  const seq = env.SEQNUM;
  if (seq === undefined) fail('uevent has no SEQNUM', from, context);
  if (!/^[0-9]{1,20}$/.test(seq) || BigInt(seq) > 0xffffffffffffffffn)
    fail(`SEQNUM '${seq.slice(0, 32)}' is not a 64-bit decimal number`, valueOffset(bytes, from, end, 'SEQNUM'), context);
  return { action, devpath, subsystem, seqnum: BigInt(seq), env, source };
}

/** True when a datagram starts with udev's "libudev\0". */
export function isUdevDatagram(bytes: Uint8Array): boolean {
  if (bytes.length < LIBUDEV_PREFIX.length) return false;
  for (let i = 0; i < LIBUDEV_PREFIX.length; i++) if (bytes[i] !== LIBUDEV_PREFIX[i]) return false;
  return true;
}

/**
 * Decodes a kernel uevent: `ACTION@DEVPATH\0` then `KEY=VALUE\0` entries.
 * Throws NetlinkDecodeError (with the byte offset) for anything else.
 */
export function decodeKernelUevent(bytes: Uint8Array): UeventData {
  const context = 'uevent';
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) fail('empty datagram', 0, context);
  const end = bytes.length;
  const headerEnd = nulAt(bytes, 0, end);
  if (headerEnd < 0) fail('the ACTION@DEVPATH header is not NUL-terminated', 0, context);
  const at = bytes.subarray(0, headerEnd).indexOf(AT);
  if (at <= 0) fail(`header '${decodeString(bytes, 0, Math.min(headerEnd, 64))}' is not ACTION@DEVPATH`, 0, context);
  if (bytes[at + 1] !== SLASH) fail('DEVPATH in the header does not start with /', at + 1, context);
  const action = decodeString(bytes, 0, at);
  const devpath = decodeString(bytes, at + 1, headerEnd);
  const env = readEnv(bytes, headerEnd + 1, end, context);
  return finish(bytes, env, action, devpath, headerEnd + 1, end, 'kernel', context);
}

/**
 * Decodes udev's re-broadcast: struct monitor_netlink_header ("libudev\0",
 * magic 0xfeedcafe big-endian, header_size, properties_off, properties_len in
 * host order, filter hashes) and the `KEY=VALUE\0` properties it points at.
 * ACTION and DEVPATH come from the properties.
 */
export function decodeUdevUevent(bytes: Uint8Array): UeventData {
  const context = 'udev event';
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (!isUdevDatagram(bytes)) fail('does not start with "libudev\\0"', 0, context);
  if (bytes.length < UDEV_HEADER_MIN) fail(`${bytes.length} bytes are too few for udev's header (${UDEV_HEADER_MIN})`, 0, context);
  const dv = dataViewOf(bytes);
  const magic = dv.getUint32(8, false);
  if (magic !== UDEV_MONITOR_MAGIC) fail(`magic 0x${magic.toString(16)} is not 0xfeedcafe`, 8, context);
  const off = dv.getUint32(16, HOST_LITTLE_ENDIAN);
  const len = dv.getUint32(20, HOST_LITTLE_ENDIAN);
  if (off < UDEV_HEADER_MIN || off > bytes.length) fail(`properties_off ${off} is outside the ${bytes.length}-byte datagram`, 16, context);
  if (len > bytes.length - off) fail(`properties_len ${len} runs past the datagram (${bytes.length - off} bytes after properties_off)`, 20, context);
  const end = off + len;
  const env = readEnv(bytes, off, end, context);
  const action = env.ACTION;
  if (action === undefined || action === '') fail('udev event has no ACTION', off, context);
  const devpath = env.DEVPATH;
  if (devpath === undefined || !devpath.startsWith('/'))
    fail(devpath === undefined ? 'udev event has no DEVPATH' : 'DEVPATH does not start with /', devpath === undefined ? off : valueOffset(bytes, off, end, 'DEVPATH'), context);
  return finish(bytes, env, action, devpath, off, end, 'udev', context);
}

/** Decodes either format: udev's when the datagram starts with "libudev\0", else the kernel's. */
export function decodeUevent(bytes: Uint8Array): UeventData {
  return isUdevDatagram(bytes) ? decodeUdevUevent(bytes) : decodeKernelUevent(bytes);
}

/**
 * Encodes a uevent the way the kernel sends it (for tests and fake kernels):
 * `ACTION@DEVPATH\0` then each entry of `env` as `KEY=VALUE\0`.
 */
export function encodeKernelUevent(action: string, devpath: string, env: Readonly<Record<string, string>>): Uint8Array {
  let text = `${action}@${devpath}\0`;
  for (const [k, v] of Object.entries(env)) text += `${k}=${v}\0`;
  return new TextEncoder().encode(text);
}

/**
 * Encodes a uevent in udev's re-broadcast format (for tests and fake
 * kernels). The filter hashes are left 0 (they only drive BPF filters of
 * libudev subscribers, which nlkit does not install).
 */
export function encodeUdevUevent(env: Readonly<Record<string, string>>): Uint8Array {
  let text = '';
  for (const [k, v] of Object.entries(env)) text += `${k}=${v}\0`;
  const props = new TextEncoder().encode(text);
  const headerSize = 40;
  const out = new Uint8Array(headerSize + props.length);
  out.set(LIBUDEV_PREFIX, 0);
  const dv = dataViewOf(out);
  dv.setUint32(8, UDEV_MONITOR_MAGIC, false);
  dv.setUint32(12, headerSize, HOST_LITTLE_ENDIAN);
  dv.setUint32(16, headerSize, HOST_LITTLE_ENDIAN);
  dv.setUint32(20, props.length, HOST_LITTLE_ENDIAN);
  out.set(props, headerSize);
  return out;
}
