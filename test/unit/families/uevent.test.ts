// kobject uevents without root: the decoders on captured datagrams
// (test/vectors/uevent.ts) and on udev's format, their refusals word for
// word, the udevadm-style printer, sysfs paths, and UeventSocket over the
// fake kernel (groups, udev's re-broadcast, spoofed senders, overruns,
// malformed datagrams).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NetlinkDecodeError, Protocol } from '../../../src/index.js';
import { FakeKernel } from '../../../src/testing/index.js';
import {
  UeventSocket,
  decodeKernelUevent,
  decodeUdevUevent,
  decodeUevent,
  encodeKernelUevent,
  encodeUdevUevent,
  formatUevent,
  formatUeventJson,
  isNetworkDeviceEvent,
  readSysfsAttribute,
  runUeventMonitor,
  sysfsPath,
  type UeventData,
} from '../../../src/families/uevent/index.js';
import { UEVENT_ADD_QUEUE, UEVENT_ADD_V1, UEVENT_CHANGE_SYNTH, UEVENT_MOVE, UEVENT_REMOVE_V0 } from '../../vectors/uevent.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What decoding must throw: a NetlinkDecodeError with this message and offset. */
function refusal(run: () => unknown): { message: string; offset: number } {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    const e = err as NetlinkDecodeError;
    return { message: e.message, offset: e.offset };
  }
  throw new Error('expected a NetlinkDecodeError');
}

describe('decodeKernelUevent', () => {
  it('decodes a captured add of a veth device', () => {
    expect(decodeKernelUevent(UEVENT_ADD_V1)).toEqual({
      action: 'add',
      devpath: '/devices/virtual/net/v1',
      subsystem: 'net',
      seqnum: 126610n,
      env: { ACTION: 'add', DEVPATH: '/devices/virtual/net/v1', SUBSYSTEM: 'net', INTERFACE: 'v1', IFINDEX: '2', SEQNUM: '126610' },
      source: 'kernel',
    });
  });

  it('decodes a queue, a synthetic change, a move and a remove as captured', () => {
    expect(decodeKernelUevent(UEVENT_ADD_QUEUE)).toMatchObject({ action: 'add', devpath: '/devices/virtual/net/v1/queues/rx-0', subsystem: 'queues' });
    expect(decodeKernelUevent(UEVENT_CHANGE_SYNTH).env).toEqual({
      ACTION: 'change',
      DEVPATH: '/devices/virtual/net/v0',
      SUBSYSTEM: 'net',
      SYNTH_UUID: '2f3d6f3e-8c1d-4f4e-9a7b-5e6d7c8b9a01',
      SYNTH_ARG_NLKIT: 'capture',
      INTERFACE: 'v0',
      IFINDEX: '3',
      SEQNUM: '126624',
    });
    expect(decodeKernelUevent(UEVENT_MOVE)).toMatchObject({
      action: 'move',
      devpath: '/devices/virtual/net/eth7',
      env: { DEVPATH_OLD: '/devices/virtual/net/v0', INTERFACE: 'eth7' },
    });
    expect(decodeKernelUevent(UEVENT_REMOVE_V0)).toMatchObject({ action: 'remove', seqnum: 126627n });
  });

  it('keeps the properties in the order sent, and the last value of a repeated key', () => {
    const e = decodeKernelUevent(text('add@/d\0A=1\0SUBSYSTEM=x\0B=2\0A=3\0SEQNUM=1\0'));
    expect(Object.entries(e.env)).toEqual([
      ['A', '3'],
      ['SUBSYSTEM', 'x'],
      ['B', '2'],
      ['SEQNUM', '1'],
    ]);
  });

  it('takes a key named __proto__ as a plain property', () => {
    const e = decodeKernelUevent(text('add@/d\0__proto__=x\0SUBSYSTEM=s\0SEQNUM=1\0'));
    expect(Object.getPrototypeOf(e.env)).toBe(Object.prototype);
    expect(Object.keys(e.env)).toEqual(['__proto__', 'SUBSYSTEM', 'SEQNUM']);
  });

  it('reads a 64-bit SEQNUM as a bigint', () => {
    expect(decodeKernelUevent(text('add@/d\0SUBSYSTEM=s\0SEQNUM=18446744073709551615\0')).seqnum).toBe(18446744073709551615n);
  });

  const REFUSALS: ReadonlyArray<readonly [string, string, string, number]> = [
    ['an empty datagram', '', 'uevent: empty datagram (at byte 0)', 0],
    ['a header without NUL', 'add@/devices', 'uevent: the ACTION@DEVPATH header is not NUL-terminated (at byte 0)', 0],
    ['a header without @', 'libfoo\0A=1\0', "uevent: header 'libfoo' is not ACTION@DEVPATH (at byte 0)", 0],
    ['a header with an empty action', '@/d\0', "uevent: header '@/d' is not ACTION@DEVPATH (at byte 0)", 0],
    ['a devpath without /', 'add@dev\0', 'uevent: DEVPATH in the header does not start with / (at byte 4)', 4],
    ['an entry without =', 'add@/d\0SUBSYSTEM=s\0JUNK\0', "uevent: entry 'JUNK' has no '=' (at byte 19)", 19],
    ['an entry with an empty key', 'add@/d\0=v\0', 'uevent: entry has an empty key (at byte 7)', 7],
    ['a last entry without NUL', 'add@/d\0SUBSYSTEM=s\0SEQNUM=1', "uevent: entry 'SEQNUM=1' is not NUL-terminated (at byte 19)", 19],
    ['no SUBSYSTEM', 'add@/d\0SEQNUM=1\0', 'uevent: uevent has no SUBSYSTEM (at byte 7)', 7],
    ['no SEQNUM', 'add@/d\0SUBSYSTEM=s\0', 'uevent: uevent has no SEQNUM (at byte 7)', 7],
    ['a SEQNUM that is not a number', 'add@/d\0SUBSYSTEM=s\0SEQNUM=12x\0', "uevent: SEQNUM '12x' is not a 64-bit decimal number (at byte 26)", 26],
    ['a SEQNUM past 64 bits', 'add@/d\0SUBSYSTEM=s\0SEQNUM=18446744073709551616\0', "uevent: SEQNUM '18446744073709551616' is not a 64-bit decimal number (at byte 26)", 26],
  ];
  it.each(REFUSALS)('refuses %s', (_what, input, message, offset) => {
    expect(refusal(() => decodeKernelUevent(text(input)))).toEqual({ message, offset });
  });

  it('refuses a datagram cut anywhere inside its last entry, never crashing', () => {
    for (let n = 0; n < UEVENT_ADD_V1.length; n++) {
      try {
        decodeKernelUevent(UEVENT_ADD_V1.subarray(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(NetlinkDecodeError);
      }
    }
  });
});

describe("udev's re-broadcast format", () => {
  const env = {
    ACTION: 'add',
    DEVPATH: '/devices/virtual/net/v1',
    SUBSYSTEM: 'net',
    INTERFACE: 'v1',
    IFINDEX: '2',
    SEQNUM: '126610',
    ID_NET_NAME: 'v1',
    USEC_INITIALIZED: '4218843',
  };

  it('decodes the header and the properties it points at', () => {
    const bytes = encodeUdevUevent(env);
    // struct monitor_netlink_header: "libudev\0", magic big-endian, then host-order words.
    expect(Array.from(bytes.subarray(0, 24))).toEqual([0x6c, 0x69, 0x62, 0x75, 0x64, 0x65, 0x76, 0, 0xfe, 0xed, 0xca, 0xfe, 40, 0, 0, 0, 40, 0, 0, 0, bytes.length - 40, 0, 0, 0]);
    expect(decodeUdevUevent(bytes)).toEqual({ action: 'add', devpath: '/devices/virtual/net/v1', subsystem: 'net', seqnum: 126610n, env, source: 'udev' });
    expect(decodeUevent(bytes).source).toBe('udev');
    expect(decodeUevent(UEVENT_ADD_V1).source).toBe('kernel');
  });

  it('ignores the extra NUL that ends a udev property list', () => {
    const bytes = encodeUdevUevent(env);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    new DataView(longer.buffer).setUint32(20, bytes.length - 40 + 1, true);
    expect(decodeUdevUevent(longer).env).toEqual(env);
  });

  it('refuses a wrong magic, offsets outside the datagram, and missing ACTION or DEVPATH', () => {
    const good = encodeUdevUevent(env);
    const patch = (at: number, value: number, le = true): Uint8Array => {
      const b = good.slice();
      new DataView(b.buffer).setUint32(at, value, le);
      return b;
    };
    expect(refusal(() => decodeUdevUevent(good.subarray(0, 20)))).toEqual({ message: "udev event: 20 bytes are too few for udev's header (24) (at byte 0)", offset: 0 });
    expect(refusal(() => decodeUdevUevent(patch(8, 0xcafefeed, false)))).toEqual({ message: 'udev event: magic 0xcafefeed is not 0xfeedcafe (at byte 8)', offset: 8 });
    expect(refusal(() => decodeUdevUevent(patch(16, 4000)))).toEqual({
      message: `udev event: properties_off 4000 is outside the ${good.length}-byte datagram (at byte 16)`,
      offset: 16,
    });
    expect(refusal(() => decodeUdevUevent(patch(20, 4000)))).toEqual({
      message: `udev event: properties_len 4000 runs past the datagram (${good.length - 40} bytes after properties_off) (at byte 20)`,
      offset: 20,
    });
    expect(refusal(() => decodeUdevUevent(encodeUdevUevent({ DEVPATH: '/d', SUBSYSTEM: 's', SEQNUM: '1' })))).toEqual({
      message: 'udev event: udev event has no ACTION (at byte 40)',
      offset: 40,
    });
    expect(refusal(() => decodeUdevUevent(encodeUdevUevent({ ACTION: 'add', SUBSYSTEM: 's', SEQNUM: '1' })))).toEqual({
      message: 'udev event: udev event has no DEVPATH (at byte 40)',
      offset: 40,
    });
    expect(refusal(() => decodeUdevUevent(text('add@/d\0')))).toEqual({ message: 'udev event: does not start with "libudev\\0" (at byte 0)', offset: 0 });
  });
});

describe('the udevadm monitor printer', () => {
  // The layout of `udevadm monitor --kernel --property` (systemd 252's udevadm, run
  // next to nlkit on the same events: test/integration/uevent.test.ts compares them live).
  it('prints an event as udevadm monitor --kernel --property does', () => {
    expect(formatUevent(decodeKernelUevent(UEVENT_ADD_V1), { monotonicNs: 3698_477282_123n })).toBe(
      [
        'KERNEL[3698.477282] add      /devices/virtual/net/v1 (net)',
        'ACTION=add',
        'DEVPATH=/devices/virtual/net/v1',
        'SUBSYSTEM=net',
        'INTERFACE=v1',
        'IFINDEX=2',
        'SEQNUM=126610',
        '',
        '',
      ].join('\n'),
    );
  });

  it('pads the source to 6 and the action to 8 columns, microseconds to 6 digits', () => {
    const e: UeventData = { ...decodeKernelUevent(UEVENT_REMOVE_V0), source: 'udev' };
    expect(formatUevent(e, { monotonicNs: 12_000_045_000n, properties: false })).toBe('UDEV  [12.000045] remove   /devices/virtual/net/v0 (net)\n');
  });

  it('prints JSON lines with the seqnum as an exact number', () => {
    const e = decodeKernelUevent(text('add@/d\0SUBSYSTEM=s\0SEQNUM=18446744073709551615\0'));
    expect(formatUeventJson(e)).toBe(
      '{"source":"kernel","action":"add","devpath":"/d","subsystem":"s","seqnum":18446744073709551615,"env":{"SUBSYSTEM":"s","SEQNUM":"18446744073709551615"}}\n',
    );
  });

  it('answers help and refuses unknown words before opening a socket', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) };
    expect(await runUeventMonitor(io, ['--help'])).toBe(0);
    expect(out.join('')).toMatch(/^Usage: nlkit \[ -n NETNS \] \[ -j \] monitor uevent \[ OPTIONS \]\n/);
    expect(await runUeventMonitor(io, ['--bogus'])).toBe(255);
    expect(err.join('')).toMatch(/^unknown argument '--bogus' to monitor uevent\n/);
    expect(await runUeventMonitor(io, ['-s'])).toBe(255);
    expect(err.join('')).toContain("option '-s' needs SUBSYSTEM\n");
  });
});

describe('sysfs attributes', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'nlkit-sysfs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'devices/virtual/net/v0/statistics'), { recursive: true });
  writeFileSync(path.join(root, 'devices/virtual/net/v0/mtu'), '1500\n');
  writeFileSync(path.join(root, 'devices/virtual/net/v0/statistics/rx_bytes'), '42\n');

  it('reads an attribute without its final newline, and undefined for one that is gone', async () => {
    expect(await readSysfsAttribute('/devices/virtual/net/v0', 'mtu', { root })).toBe('1500');
    expect(await readSysfsAttribute('/devices/virtual/net/v0/', 'statistics/rx_bytes', { root })).toBe('42');
    expect(await readSysfsAttribute('/devices/virtual/net/v0', 'nope', { root })).toBeUndefined();
    expect(await readSysfsAttribute('/devices/virtual/net/gone', 'mtu', { root })).toBeUndefined();
  });

  it('refuses paths that would leave the device directory', () => {
    expect(sysfsPath('/devices/virtual/net/lo', 'mtu')).toBe('/sys/devices/virtual/net/lo/mtu');
    expect(() => sysfsPath('/devices/../../etc', 'passwd')).toThrow(new RangeError("devpath '/devices/../../etc' must not contain '..' segments"));
    expect(() => sysfsPath('/devices/x', '../../etc/passwd')).toThrow(new RangeError("attribute name '../../etc/passwd' must not contain '..' segments"));
    expect(() => sysfsPath('devices/x', 'mtu')).toThrow(new RangeError("devpath 'devices/x' must start with '/'"));
    expect(() => sysfsPath('/devices/x', '/etc/passwd')).toThrow(new RangeError("attribute name '/etc/passwd' must be relative to the device"));
    expect(() => sysfsPath('/devices/x', '')).toThrow(new RangeError('attribute name must not be empty'));
  });

  it('tells network device events from others', () => {
    expect(isNetworkDeviceEvent(decodeKernelUevent(UEVENT_ADD_V1))).toBe(true);
    expect(isNetworkDeviceEvent(decodeKernelUevent(UEVENT_ADD_QUEUE))).toBe(true);
    expect(isNetworkDeviceEvent(decodeKernelUevent(text('add@/devices/virtual/misc/tun\0SUBSYSTEM=misc\0SEQNUM=1\0')))).toBe(false);
  });
});

describe('UeventSocket on the fake kernel', () => {
  const kernelAdd = encodeKernelUevent('add', '/devices/virtual/net/v9', {
    ACTION: 'add',
    DEVPATH: '/devices/virtual/net/v9',
    SUBSYSTEM: 'net',
    INTERFACE: 'v9',
    IFINDEX: '9',
    SEQNUM: '7',
  });
  const blockAdd = encodeKernelUevent('add', '/devices/virtual/block/loop9', {
    ACTION: 'add',
    DEVPATH: '/devices/virtual/block/loop9',
    SUBSYSTEM: 'block',
    MAJOR: '7',
    MINOR: '9',
    DEVNAME: 'loop9',
    DEVTYPE: 'disk',
    SEQNUM: '8',
  });

  it('yields the kernel group only, and drops what user space sends there', async () => {
    const kernel = new FakeKernel();
    await using sock = UeventSocket.fromSocket(await kernel.open(Protocol.KOBJECT_UEVENT));
    const sub = sock.subscribe();
    kernel.multicast(1, kernelAdd, { from: 4242 }); // dropped by the socket itself (not userSenders)
    kernel.multicast(2, encodeUdevUevent({ ACTION: 'add', DEVPATH: '/d', SUBSYSTEM: 's', SEQNUM: '1' }), { from: 4242 });
    kernel.multicast(1, kernelAdd);
    const first = await sub.next();
    expect(first.value).toMatchObject({ action: 'add', devpath: '/devices/virtual/net/v9', seqnum: 7n, source: 'kernel', nsid: undefined });
    expect(sock.socket.stats.dropped).toBe(1);
    sub.close();
  });

  it("with udev on, yields udev's re-broadcast too, and still refuses user space on the kernel's group", async () => {
    const kernel = new FakeKernel();
    await using sock = UeventSocket.fromSocket(await kernel.open(Protocol.KOBJECT_UEVENT, { framing: 'datagram', userSenders: true }), { udev: true });
    const sub = sock.subscribe();
    kernel.multicast(1, kernelAdd, { from: 999 });
    kernel.multicast(2, encodeUdevUevent({ ACTION: 'add', DEVPATH: '/devices/virtual/net/v9', SUBSYSTEM: 'net', SEQNUM: '7', ID_NET_DRIVER: 'veth' }), { from: 999 });
    kernel.multicast(1, kernelAdd);
    const seen = [(await sub.next()).value, (await sub.next()).value];
    expect(seen).toMatchObject([
      { source: 'udev', env: { ID_NET_DRIVER: 'veth' } },
      { source: 'kernel', seqnum: 7n },
    ]);
    expect(sub.spoofed).toBe(1);
    expect(() => UeventSocket.fromSocket(sock.socket).subscribe({ source: 'udev' })).toThrow(new TypeError("source 'udev' needs a socket opened with { udev: true }"));
    sub.close();
  });

  it('filters by subsystem, and reports overruns in-band', async () => {
    const kernel = new FakeKernel();
    await using sock = UeventSocket.fromSocket(await kernel.open(Protocol.KOBJECT_UEVENT));
    const sub = sock.subscribe({ subsystems: ['block'] });
    kernel.multicast(1, kernelAdd);
    kernel.endpoint(sock.socket.portId).overrun();
    kernel.multicast(1, blockAdd);
    expect((await sub.next()).value).toEqual({ overrun: true, truncated: false });
    expect((await sub.next()).value).toMatchObject({ subsystem: 'block', env: { DEVNAME: 'loop9', MAJOR: '7' } });
    sub.close();
  });

  it('ends with the NetlinkDecodeError of a malformed datagram, or skips it through onMalformed', async () => {
    const kernel = new FakeKernel();
    await using sock = UeventSocket.fromSocket(await kernel.open(Protocol.KOBJECT_UEVENT));
    const strict = sock.subscribe();
    const skipped: string[] = [];
    const lenient = sock.subscribe({ onMalformed: (err) => void skipped.push(err.message) });
    kernel.multicast(1, text('garbage'));
    kernel.multicast(1, kernelAdd);
    await expect(strict.next()).rejects.toThrow(new NetlinkDecodeError('the ACTION@DEVPATH header is not NUL-terminated', 0, 'uevent'));
    expect(await strict.next()).toEqual({ value: undefined, done: true });
    expect((await lenient.next()).value).toMatchObject({ seqnum: 7n });
    expect(skipped).toEqual(['uevent: the ACTION@DEVPATH header is not NUL-terminated (at byte 0)']);
    expect(lenient.malformed).toBe(1);
    lenient.close();
  });

  it("refuses to read sysfs for another namespace's network device, not for other devices", async () => {
    const kernel = new FakeKernel();
    await using sock = UeventSocket.fromSocket(await kernel.open(Protocol.KOBJECT_UEVENT), { foreignNetns: true });
    const sub = sock.subscribe();
    kernel.multicast(1, kernelAdd);
    kernel.multicast(1, encodeKernelUevent('add', '/devices/virtual/nlkit-none', { SUBSYSTEM: 'nlkit', SEQNUM: '9' }));
    const net = (await sub.next()).value as { sysfs(name: string): Promise<string | undefined> };
    await expect(net.sysfs('mtu')).rejects.toMatchObject({ code: 'ERR_SYSFS_OTHER_NETNS' });
    const other = (await sub.next()).value as { sysfs(name: string): Promise<string | undefined> };
    expect(await other.sysfs('uevent')).toBeUndefined();
    sub.close();
  });
});
