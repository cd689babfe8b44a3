// Integration tests of the native addon against the running kernel.
// Needs root (namespaces, SO_RCVBUFFORCE) and iproute2's `ip` for setup.
// Every namespace is created by this file and deleted in afterAll.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FRAME_FLAGS,
  FRAME_GROUP,
  FRAME_LENGTH,
  FRAME_NSID,
  FRAME_OFFSET,
  FRAME_OVERRUN,
  FRAME_PORT,
  FRAME_TRUNCATED,
  FRAME_WORDS,
  NSID_NONE,
  nativeBinding,
  type NativeBinding,
  type NativeNetnsTarget,
  type NativeSocket,
} from '../../src/io/native.js';

// Kernel constants, named as in the uapi headers.
const NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2; // <linux/netlink.h>
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const RTM_NEWLINK = 16; // <linux/rtnetlink.h>
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3; // <linux/if_link.h>
const RTNLGRP_LINK = 1;
const NETLINK_ADD_MEMBERSHIP = 1; // SOL_NETLINK options, <linux/netlink.h>
const NETLINK_PKTINFO = 3;
const NETLINK_LISTEN_ALL_NSID = 8;
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16;

const isRootOnLinux = process.platform === 'linux' && process.getuid?.() === 0;

const nsPrefix = `nlkit-native-${process.pid}`;
const NS_MAIN = `${nsPrefix}-main`;
const NS_PEER = `${nsPrefix}-peer`;
const NS_SCRATCH = `${nsPrefix}-scratch`;
const createdNamespaces = new Set<string>();

let binding: NativeBinding;

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs a CommonJS script in a fresh node process with `binding` loaded and
 * returns what it printed. Lifecycle hazards (teardown, GC, uncaught
 * exceptions) are checked there so that a crash cannot take the runner down.
 */
function runNode(script: string, nodeArgs: string[] = []): string {
  const prelude = `const binding = require(${JSON.stringify(path.join(packageRoot, 'node_modules', 'node-gyp-build'))})` + `(${JSON.stringify(packageRoot)});\n`;
  return execFileSync(process.execPath, [...nodeArgs, '-e', prelude + script], {
    encoding: 'utf8',
    timeout: 20_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Source of getLinkDump for scripts run by runNode. */
const getLinkDumpSource = `function getLinkDump(seq) {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 32, true);
  view.setUint16(4, ${RTM_GETLINK}, true);
  view.setUint16(6, ${NLM_F_REQUEST | NLM_F_DUMP}, true);
  view.setUint32(8, seq, true);
  return bytes;
}
`;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Runs `ip -n NETNS -batch -` with one command per line. */
function ipBatch(netns: string, lines: string[]): void {
  execFileSync('ip', ['-n', netns, '-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
}

function createNamespace(name: string): void {
  binding.netnsCreate(name);
  createdNamespaces.add(name);
}

function deleteNamespace(name: string): void {
  createdNamespaces.delete(name);
  binding.netnsDelete(name);
}

function nsTarget(name: string): NativeNetnsTarget {
  return { path: `/run/netns/${name}` };
}

/** RTM_GETLINK dump request: nlmsghdr + an all-zero ifinfomsg. */
function getLinkDump(seq: number): Uint8Array {
  const bytes = new Uint8Array(NLMSG_HDRLEN + IFINFOMSG_LEN);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, true); // nlmsg_len
  view.setUint16(4, RTM_GETLINK, true); // nlmsg_type
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true); // nlmsg_flags = 0x301
  view.setUint32(8, seq, true); // nlmsg_seq
  view.setUint32(12, 0, true); // nlmsg_pid
  return bytes;
}

interface Message {
  readonly type: number;
  readonly seq: number;
  readonly ifname: string | undefined;
}

/** Just enough nlmsghdr / ifinfomsg / rtattr walking to check what came back. */
function parseDatagram(bytes: Uint8Array): Message[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: Message[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= bytes.length) {
    const length = view.getUint32(at, true);
    if (length < NLMSG_HDRLEN || at + length > bytes.length) throw new Error(`bad nlmsg_len ${length} at ${at}`);
    const type = view.getUint16(at + 4, true);
    const seq = view.getUint32(at + 8, true);
    let ifname: string | undefined;
    if (type === RTM_NEWLINK) {
      let attr = at + NLMSG_HDRLEN + IFINFOMSG_LEN;
      while (attr + 4 <= at + length) {
        const rtaLen = view.getUint16(attr, true);
        const rtaType = view.getUint16(attr + 2, true) & 0x3fff;
        if (rtaLen < 4) break;
        if (rtaType === IFLA_IFNAME) {
          ifname = new TextDecoder().decode(bytes.subarray(attr + 4, attr + rtaLen)).replace(/\0+$/, '');
        }
        attr += (rtaLen + 3) & ~3;
      }
    }
    messages.push({ type, seq, ifname });
    at += (length + 3) & ~3;
  }
  return messages;
}

interface Frame {
  readonly offset: number;
  readonly length: number;
  readonly port: number;
  readonly group: number;
  readonly nsid: number;
  readonly flags: number;
  readonly bytes: Uint8Array;
}

interface Batch {
  readonly frames: number;
  readonly slabFull: boolean;
}

type SlabPolicy =
  | 'inside' // a fresh slab from inside the callback
  | 'later'; // a fresh slab from a later turn of the loop

interface ReceiverOptions {
  readonly netns?: NativeNetnsTarget | null;
  readonly protocol?: number;
  readonly groups?: number;
  readonly slabBytes?: number;
  readonly frameSlots?: number;
  readonly slabPolicy?: SlabPolicy;
  /** Called after each batch's frames are collected. */
  readonly onBatch?: (receiver: Receiver, batch: Batch, error: NodeJS.ErrnoException | null) => void;
}

/** A socket with a slab and a frame table that keeps every frame it receives. */
class Receiver {
  readonly socket: NativeSocket;
  readonly frames: Frame[] = [];
  readonly batches: Batch[] = [];
  readonly errors: NodeJS.ErrnoException[] = [];
  slabsHanded = 1;
  private slab: Uint8Array;
  private readonly table: Uint32Array;
  private readonly slabBytes: number;
  private readonly waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  private readonly options: ReceiverOptions;

  constructor(options: ReceiverOptions = {}) {
    this.options = options;
    this.slabBytes = options.slabBytes ?? 1 << 20;
    this.slab = new Uint8Array(this.slabBytes);
    this.table = new Uint32Array(FRAME_WORDS * (options.frameSlots ?? 64));
    this.socket = new binding.Socket(options.protocol ?? NETLINK_ROUTE, options.groups ?? 0, options.netns ?? null, (frames, slabFull, error) =>
      this.onBatch(frames, slabFull, error),
    );
    this.socket.setSlab(this.slab, 0, this.table);
  }

  get messages(): Message[] {
    return this.frames.flatMap((frame) => (frame.flags === 0 && frame.port === 0 ? parseDatagram(frame.bytes) : []));
  }

  start(): this {
    this.socket.start();
    return this;
  }

  /** Resolves once test() holds after a batch. */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  untilDone(seq: number): Promise<void> {
    return this.until(() => this.messages.some((m) => m.type === NLMSG_DONE && m.seq === seq));
  }

  freshSlab(): void {
    this.slab = new Uint8Array(this.slabBytes);
    this.slabsHanded++;
    this.socket.setSlab(this.slab, 0, this.table);
  }

  private onBatch(count: number, slabFull: boolean, error: NodeJS.ErrnoException | null): void {
    for (let i = 0; i < count; i++) {
      const word = (k: number): number => this.table[i * FRAME_WORDS + k] ?? -1;
      const offset = word(FRAME_OFFSET);
      const length = word(FRAME_LENGTH);
      // Copied: the test keeps frames after the slab is replaced. For a
      // truncated frame this is the prefix the slab holds.
      this.frames.push({
        offset,
        length,
        port: word(FRAME_PORT),
        group: word(FRAME_GROUP),
        nsid: word(FRAME_NSID),
        flags: word(FRAME_FLAGS),
        bytes: this.slab.slice(offset, offset + length),
      });
    }
    const batch = { frames: count, slabFull };
    this.batches.push(batch);
    if (error) this.errors.push(error);
    if (slabFull && this.socket.fd >= 0) {
      if (this.options.slabPolicy === 'later') setImmediate(() => this.freshSlab());
      else this.freshSlab();
    }
    this.options.onBatch?.(this, batch, error);
    for (const waiter of [...this.waiters]) {
      if (waiter.test()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}

function expectSystemError(fn: () => unknown, code: string, syscall: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(Error);
  const error = caught as NodeJS.ErrnoException;
  expect(error.code).toBe(code);
  expect(error.syscall).toBe(syscall);
  expect(typeof error.errno).toBe('number');
  expect(error.errno).toBeGreaterThan(0);
}

describe.skipIf(!isRootOnLinux)('native addon', () => {
  beforeAll(() => {
    binding = nativeBinding();
    createNamespace(NS_MAIN);
  });

  afterAll(() => {
    const failures: unknown[] = [];
    for (const name of [...createdNamespaces]) {
      try {
        deleteNamespace(name);
      } catch (error) {
        failures.push(error);
      }
    }
    expect(failures).toEqual([]);
  });

  describe('binding', () => {
    it('reports a supported platform and a 64 KiB maximum datagram', () => {
      expect(binding.supported).toBe(true);
      expect(binding.maxDatagram).toBe(65536);
    });
  });

  describe('opening sockets', () => {
    it('binds a NETLINK_ROUTE socket to a port id above 0', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        expect(socket.portId).toBeGreaterThan(0);
        expect(socket.fd).toBeGreaterThanOrEqual(0);
      } finally {
        socket.close();
      }
    });

    it('turns NETLINK_PKTINFO on for every socket', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        expect(socket.getNetlinkOption(NETLINK_PKTINFO)).toBe(1);
      } finally {
        socket.close();
      }
    });

    it('throws a system error for an unknown protocol', () => {
      let caught: NodeJS.ErrnoException | undefined;
      try {
        new binding.Socket(31, 0, null, () => {});
      } catch (error) {
        caught = error as NodeJS.ErrnoException;
      }
      expect(caught?.message).toBe('socket failed: EPROTONOSUPPORT (Protocol not supported)');
      expect(caught?.code).toBe('EPROTONOSUPPORT');
      expect(caught?.errno).toBe(93);
      expect(caught?.syscall).toBe('socket');
    });

    it('rejects a batch callback that is not a function', () => {
      expect(() => new binding.Socket(NETLINK_ROUTE, 0, null, 1 as never)).toThrow(TypeError);
    });

    it('throws ENOENT with syscall open for a namespace path that does not exist', () => {
      expectSystemError(() => new binding.Socket(NETLINK_ROUTE, 0, { path: `/run/netns/${nsPrefix}-missing` }, () => {}), 'ENOENT', 'open');
    });
  });

  describe('named namespaces', () => {
    it('opens a socket inside a namespace by path without moving the calling thread', async () => {
      const before = binding.currentNetnsInode();
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN) });
      try {
        expect(binding.currentNetnsInode()).toBe(before);
        receiver.start();
        receiver.socket.send(getLinkDump(7), 0, 0);
        await receiver.untilDone(7);
        // A fresh namespace has nothing but its loopback device.
        const names = receiver.messages.filter((m) => m.type === RTM_NEWLINK).map((m) => m.ifname);
        expect(names).toEqual(['lo']);
      } finally {
        receiver.socket.close();
      }
      expect(binding.currentNetnsInode()).toBe(before);
    });

    it('opens a socket inside a namespace by pid and by fd', () => {
      const before = binding.currentNetnsInode();
      const nsfd = openSync(`/run/netns/${NS_MAIN}`, 'r');
      try {
        const byPid = new binding.Socket(NETLINK_ROUTE, 0, { pid: process.pid }, () => {});
        const byFd = new binding.Socket(NETLINK_ROUTE, 0, { fd: nsfd }, () => {});
        expect(byPid.portId).toBeGreaterThan(0);
        expect(byFd.portId).toBeGreaterThan(0);
        byPid.close();
        byFd.close();
      } finally {
        // The addon duplicated the fd; the caller's copy is still its own.
        closeSync(nsfd);
      }
      expect(binding.currentNetnsInode()).toBe(before);
    });

    it('creates a namespace that ip netns list shows, and deletes it', () => {
      createNamespace(NS_SCRATCH);
      try {
        expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(NS_SCRATCH);
      } finally {
        deleteNamespace(NS_SCRATCH);
      }
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(NS_SCRATCH);
    });

    it('fails with EEXIST when the namespace already exists', () => {
      expectSystemError(() => binding.netnsCreate(NS_MAIN), 'EEXIST', 'open');
    });

    it('fails with ENOENT when deleting a namespace that does not exist', () => {
      expectSystemError(() => binding.netnsDelete(`${nsPrefix}-missing`), 'ENOENT', 'unlink');
    });

    it.each([
      ['empty', ''],
      ['dot', '.'],
      ['dot dot', '..'],
      ['with a slash', 'a/b'],
      ['longer than NAME_MAX', 'x'.repeat(256)],
    ])('rejects a name that is %s', (_label, name) => {
      expect(() => binding.netnsCreate(name)).toThrow(TypeError);
      expect(() => binding.netnsDelete(name)).toThrow(TypeError);
    });
  });

  describe('receiving', () => {
    it('reads what the kernel queued inside sendto() when send() or receiveNow() asks, before returning', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN) }).start();
      try {
        // The kernel builds a dump's first part inside sendto(): it is there to read at once.
        expect(receiver.socket.send(getLinkDump(11), 0, 0, 1)).toBe(1);
        expect(receiver.frames.length).toBe(1);
        receiver.socket.pause();
        expect(receiver.socket.receiveNow(1)).toBe(-1); // paused: the poll reads later
        receiver.socket.resume();
        await receiver.untilDone(11);
        expect(receiver.messages.at(-1)?.type).toBe(NLMSG_DONE);
        expect(receiver.socket.receiveNow(4)).toBe(0); // nothing left
      } finally {
        receiver.socket.close();
      }
    });

    it('receives an RTM_GETLINK dump with lo and NLMSG_DONE', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN) }).start();
      try {
        expect(receiver.socket.send(getLinkDump(1), 0, 0)).toBe(0);
        await receiver.untilDone(1);
        const messages = receiver.messages;
        expect(messages.some((m) => m.type === RTM_NEWLINK && m.ifname === 'lo')).toBe(true);
        expect(messages.at(-1)?.type).toBe(NLMSG_DONE);
        expect(messages.some((m) => m.type === NLMSG_ERROR)).toBe(false);
        for (const frame of receiver.frames) {
          expect(frame.port).toBe(0); // from the kernel
          expect(frame.group).toBe(0); // unicast
          expect(frame.nsid).toBe(NSID_NONE);
          expect(frame.flags).toBe(0);
          expect(frame.offset % 4).toBe(0);
        }
        expect(receiver.socket.slabOffset).toBeGreaterThan(0);
        expect(receiver.socket.slabOffset % 4).toBe(0);
      } finally {
        receiver.socket.close();
      }
    });

    it('lays frames back to back at 4-byte aligned offsets from the given one', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN) });
      const slab = new Uint8Array(1 << 20);
      const table = new Uint32Array(FRAME_WORDS * 8);
      receiver.socket.setSlab(slab, 1000, table);
      expect(receiver.socket.slabOffset).toBe(1000);
      receiver.socket.setSlab(slab, 1001, table);
      expect(receiver.socket.slabOffset).toBe(1004);
      receiver.socket.close();
    });
  });

  describe('with many links', () => {
    // Enough links that a dump spans several datagrams.
    const LINKS = 60;

    beforeAll(() => {
      ipBatch(
        NS_MAIN,
        Array.from({ length: LINKS }, (_, i) => `link add name nlk${i} type ifb`),
      );
    });

    it('receives a long dump across several batches with a two-frame table', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN), frameSlots: 2 }).start();
      try {
        receiver.socket.send(getLinkDump(2), 0, 0);
        await receiver.untilDone(2);
        const names = receiver.messages.filter((m) => m.type === RTM_NEWLINK).map((m) => m.ifname);
        expect(names).toHaveLength(LINKS + 1);
        expect(new Set(names).size).toBe(LINKS + 1);
        expect(receiver.frames.length).toBeGreaterThan(2);
        expect(receiver.batches.length).toBeGreaterThan(1);
        expect(Math.max(...receiver.batches.map((b) => b.frames))).toBeLessThanOrEqual(2);
      } finally {
        receiver.socket.close();
      }
    });

    it('asks for fresh slabs when a small slab fills, and the dump still completes', async () => {
      // Room for one maximum datagram plus a little: full after one datagram.
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN), slabBytes: binding.maxDatagram + 4096 }).start();
      try {
        receiver.socket.send(getLinkDump(3), 0, 0);
        await receiver.untilDone(3);
        const names = receiver.messages.filter((m) => m.type === RTM_NEWLINK).map((m) => m.ifname);
        expect(names).toHaveLength(LINKS + 1);
        expect(receiver.batches.filter((b) => b.slabFull).length).toBeGreaterThan(0);
        expect(receiver.slabsHanded).toBeGreaterThan(1);
      } finally {
        receiver.socket.close();
      }
    });

    it('waits for setSlab from a later turn when the slab is still full after the callback', async () => {
      const receiver = new Receiver({
        netns: nsTarget(NS_MAIN),
        slabBytes: binding.maxDatagram + 4096,
        slabPolicy: 'later',
      }).start();
      try {
        receiver.socket.send(getLinkDump(4), 0, 0);
        await receiver.untilDone(4);
        const names = receiver.messages.filter((m) => m.type === RTM_NEWLINK).map((m) => m.ifname);
        expect(names).toHaveLength(LINKS + 1);
        expect(receiver.slabsHanded).toBeGreaterThan(1);
      } finally {
        receiver.socket.close();
      }
    });

    it('calls back with no frames and slabFull when the first slab has no room', async () => {
      const table = new Uint32Array(FRAME_WORDS * 16);
      const seen: Batch[] = [];
      const messages: Message[] = [];
      let big: Uint8Array | undefined;
      let resolveDone!: () => void;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const socket = new binding.Socket(NETLINK_ROUTE, 0, nsTarget(NS_MAIN), (frames, slabFull) => {
        seen.push({ frames, slabFull });
        for (let i = 0; i < frames && big; i++) {
          const offset = table[i * FRAME_WORDS + FRAME_OFFSET] ?? 0;
          const length = table[i * FRAME_WORDS + FRAME_LENGTH] ?? 0;
          messages.push(...parseDatagram(big.subarray(offset, offset + length)));
        }
        if (slabFull) {
          big = new Uint8Array(1 << 20);
          socket.setSlab(big, 0, table);
        }
        if (messages.some((m) => m.type === NLMSG_DONE)) resolveDone();
      });
      try {
        socket.setSlab(new Uint8Array(1024), 0, table);
        socket.start();
        socket.send(getLinkDump(5), 0, 0);
        await done;
        expect(seen[0]).toEqual({ frames: 0, slabFull: true });
        expect(messages.filter((m) => m.type === RTM_NEWLINK)).toHaveLength(LINKS + 1);
      } finally {
        socket.close();
      }
    });
  });

  describe('with a long route dump (read ahead on the addon reader thread)', () => {
    // ~700 routes per 32 KiB datagram: dozens of datagrams, so after the
    // first few the dump is read ahead while JS handles the earlier ones.
    const ROUTES = 20_000;
    const RTM_GETROUTE = 26;
    const RTM_NEWROUTE = 24;
    const RTA_DST = 1;
    const RTA_TABLE = 15;

    beforeAll(() => {
      ipBatch(
        NS_MAIN,
        Array.from({ length: ROUTES }, (_, i) => `route add blackhole 10.77.${i >> 8}.${i & 255}/32 table 177`),
      );
    });

    function getRouteDump(seq: number): Uint8Array {
      const bytes = new Uint8Array(NLMSG_HDRLEN + 12);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, bytes.length, true);
      view.setUint16(4, RTM_GETROUTE, true);
      view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
      view.setUint32(8, seq, true);
      view.setUint8(NLMSG_HDRLEN, 2); // AF_INET
      return bytes;
    }

    /** The table-177 destinations in the kernel's dump order, as ip lists them. */
    function kernelOrder(): string[] {
      const routes = JSON.parse(execFileSync('ip', ['-n', NS_MAIN, '-j', 'route', 'show', 'table', '177'], { encoding: 'utf8', maxBuffer: 1 << 26 })) as { dst: string }[];
      return routes.map((r) => r.dst);
    }

    /** Destinations of the table-177 routes in the order the frames carry them. */
    function table177(frames: readonly Frame[]): string[] {
      const out: string[] = [];
      for (const frame of frames) {
        const b = frame.bytes;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let at = 0; at + NLMSG_HDRLEN <= b.length;) {
          const length = dv.getUint32(at, true);
          if (length < NLMSG_HDRLEN) break;
          if (dv.getUint16(at + 4, true) === RTM_NEWROUTE) {
            let table = dv.getUint8(at + NLMSG_HDRLEN + 4);
            let dst = '';
            for (let a = at + NLMSG_HDRLEN + 12; a + 4 <= at + length;) {
              const rtaLen = dv.getUint16(a, true);
              if (rtaLen < 4) break;
              const type = dv.getUint16(a + 2, true);
              if (type === RTA_TABLE) table = dv.getUint32(a + 4, true);
              if (type === RTA_DST) dst = Array.from(b.subarray(a + 4, a + 8)).join('.');
              a += (rtaLen + 3) & ~3;
            }
            if (table === 177) out.push(dst);
          }
          at += (length + 3) & ~3;
        }
      }
      return out;
    }

    it('delivers every datagram once and in the kernel order, across batches and slabs', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN), slabBytes: 1 << 18 }).start();
      try {
        receiver.socket.send(getRouteDump(20), 0, 0);
        await receiver.untilDone(20);
        const got = table177(receiver.frames);
        expect(got).toHaveLength(ROUTES);
        expect(got).toEqual(kernelOrder());
        expect(receiver.batches.length).toBeGreaterThan(3);
        expect(receiver.slabsHanded).toBeGreaterThan(1);
        expect(receiver.messages.at(-1)?.type).toBe(NLMSG_DONE);
      } finally {
        receiver.socket.close();
      }
    });

    it("goes on in the spare slab when the current one fills, and says so after the old slab's last frames", async () => {
      const table = new Uint32Array(FRAME_WORDS * 64);
      const slabBytes = 1 << 18;
      let slab = new Uint8Array(slabBytes);
      let spare = new Uint8Array(slabBytes);
      const frames: Frame[] = [];
      const batches: { frames: number; slabFull: boolean; switched: boolean }[] = [];
      let resolveDone!: () => void;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const socket: NativeSocket = new binding.Socket(NETLINK_ROUTE, 0, nsTarget(NS_MAIN), (count, slabFull, _error, switched) => {
        batches.push({ frames: count, slabFull, switched });
        for (let i = 0; i < count; i++) {
          const word = (k: number): number => table[i * FRAME_WORDS + k] ?? -1;
          const offset = word(FRAME_OFFSET);
          const length = word(FRAME_LENGTH);
          frames.push({
            offset,
            length,
            port: word(FRAME_PORT),
            group: word(FRAME_GROUP),
            nsid: word(FRAME_NSID),
            flags: word(FRAME_FLAGS),
            bytes: slab.slice(offset, offset + length),
          });
        }
        if (switched) {
          slab = spare;
          spare = new Uint8Array(slabBytes);
          socket.setSpareSlab(spare);
        }
        if (slabFull) {
          slab = new Uint8Array(slabBytes);
          socket.setSlab(slab, 0, table);
        }
        if (parseDatagram(frames.at(-1)?.bytes ?? new Uint8Array(0)).some((m) => m.type === NLMSG_DONE)) resolveDone();
      });
      try {
        socket.setSlab(slab, 0, table);
        socket.setSpareSlab(spare);
        socket.start();
        socket.send(getRouteDump(23), 0, 0);
        await done;
        expect(table177(frames)).toEqual(kernelOrder());
        expect(batches.filter((b) => b.switched).length).toBeGreaterThan(1);
        // A spare was always there: JS never had to hand a slab over mid-dump.
        expect(batches.some((b) => b.slabFull)).toBe(false);
      } finally {
        socket.close();
      }
    });

    it('rejects a spare slab smaller than one maximum datagram', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        expect(() => socket.setSpareSlab(new Uint8Array(1024))).toThrow(RangeError);
      } finally {
        socket.close();
      }
    });

    it('closes inside a batch callback in the middle of the dump: no callback after, the next socket works', async () => {
      let calls = 0;
      let closedAt = -1;
      const table = new Uint32Array(FRAME_WORDS * 64);
      let closedInside!: () => void;
      const closed = new Promise<void>((resolve) => (closedInside = resolve));
      const socket: NativeSocket = new binding.Socket(NETLINK_ROUTE, 0, nsTarget(NS_MAIN), () => {
        calls++;
        if (calls === 3) {
          socket.close();
          closedAt = calls;
          closedInside();
        }
      });
      socket.setSlab(new Uint8Array(1 << 20), 0, table);
      socket.start();
      socket.send(getRouteDump(21), 0, 0);
      await closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls).toBe(closedAt);
      const again = new Receiver({ netns: nsTarget(NS_MAIN) }).start();
      try {
        again.socket.send(getRouteDump(22), 0, 0);
        await again.untilDone(22);
        expect(table177(again.frames)).toHaveLength(ROUTES);
      } finally {
        again.socket.close();
      }
    });

    it('tears a worker down cleanly while its socket reads a long dump ahead', () => {
      const out = runNode(`
const { Worker } = require('node:worker_threads');
const workerSource = ${'`'}
const { parentPort, workerData } = require('node:worker_threads');
const binding = require(workerData.loader)(workerData.root);
const bytes = new Uint8Array(28);
const view = new DataView(bytes.buffer);
view.setUint32(0, 28, true);
view.setUint16(4, 26, true);
view.setUint16(6, 0x301, true);
view.setUint8(16, 2);
let batches = 0;
const socket = new binding.Socket(0, 0, { path: workerData.netns }, (frames, slabFull) => {
  if (slabFull) socket.setSlab(new Uint8Array(1 << 18), 0, table);
  if (++batches === 2) parentPort.postMessage('reading');
});
const table = new Uint32Array(6 * 64);
socket.setSlab(new Uint8Array(1 << 18), 0, table);
socket.start();
socket.send(bytes, 0, 0);
${'`'};
const data = {
  loader: ${JSON.stringify(path.join(packageRoot, 'node_modules', 'node-gyp-build'))},
  root: ${JSON.stringify(packageRoot)},
  netns: ${JSON.stringify(`/run/netns/${NS_MAIN}`)},
};
(async () => {
  for (let i = 0; i < 5; i++) {
    const worker = new Worker(workerSource, { eval: true, workerData: data });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    await exited;
  }
  console.log('done');
})();
`);
      expect(out).toBe('done\n');
    });
  });

  describe('multicast', () => {
    it('tags link events with their multicast group from NETLINK_PKTINFO', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN), groups: 1 << (RTNLGRP_LINK - 1) }).start();
      try {
        ip('-n', NS_MAIN, 'link', 'add', 'name', 'nlkgrp', 'type', 'ifb');
        await receiver.until(() => receiver.messages.some((m) => m.ifname === 'nlkgrp'));
        const frame = receiver.frames.find((f) => parseDatagram(f.bytes).some((m) => m.ifname === 'nlkgrp'));
        expect(frame?.group).toBe(RTNLGRP_LINK);
        expect(frame?.port).toBe(0);
        expect(frame?.nsid).toBe(NSID_NONE);
      } finally {
        receiver.socket.close();
        ip('-n', NS_MAIN, 'link', 'del', 'nlkgrp');
      }
    });

    it('joins groups with NETLINK_ADD_MEMBERSHIP and reports the nsid of a peer namespace', async () => {
      createNamespace(NS_PEER);
      // In NS_MAIN, NS_PEER is known as nsid 5.
      ip('-n', NS_MAIN, 'netns', 'set', NS_PEER, '5');
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN) });
      try {
        receiver.socket.setNetlinkOption(NETLINK_LISTEN_ALL_NSID, 1);
        receiver.socket.setNetlinkOption(NETLINK_ADD_MEMBERSHIP, RTNLGRP_LINK);
        receiver.start();
        ip('-n', NS_PEER, 'link', 'add', 'name', 'nlkpeer', 'type', 'ifb');
        await receiver.until(() => receiver.messages.some((m) => m.ifname === 'nlkpeer'));
        const frame = receiver.frames.find((f) => parseDatagram(f.bytes).some((m) => m.ifname === 'nlkpeer'));
        expect(frame?.nsid).toBe(5);
        expect(frame?.group).toBe(RTNLGRP_LINK);
      } finally {
        receiver.socket.close();
        deleteNamespace(NS_PEER);
      }
    });

    it('records ENOBUFS as an overrun frame and goes on reading', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN), groups: 1 << (RTNLGRP_LINK - 1) });
      try {
        // Smallest buffer the kernel allows, then events nobody reads yet.
        receiver.socket.setReceiveBuffer(0, true);
        ipBatch(
          NS_MAIN,
          Array.from({ length: 40 }, (_, i) => `link add name nlkov${i} type ifb`),
        );
        receiver.start();
        await receiver.until(() => receiver.frames.some((f) => f.flags === FRAME_OVERRUN));
        const overrun = receiver.frames.find((f) => f.flags === FRAME_OVERRUN);
        expect(overrun?.length).toBe(0);
        // The stream goes on after the overrun.
        ip('-n', NS_MAIN, 'link', 'add', 'name', 'nlkafter', 'type', 'ifb');
        await receiver.until(() => receiver.messages.some((m) => m.ifname === 'nlkafter'));
      } finally {
        receiver.socket.close();
      }
    });
  });

  describe('lifecycle', () => {
    it('survives close() inside the batch callback, and a second close()', async () => {
      let calls = 0;
      let closedInside!: () => void;
      const closed = new Promise<void>((resolve) => (closedInside = resolve));
      const table = new Uint32Array(FRAME_WORDS * 64);
      const socket: NativeSocket = new binding.Socket(NETLINK_ROUTE, 0, nsTarget(NS_MAIN), () => {
        calls++;
        socket.close();
        socket.close();
        expect(socket.fd).toBe(-1);
        closedInside();
      });
      socket.setSlab(new Uint8Array(1 << 20), 0, table);
      socket.start();
      socket.send(getLinkDump(6), 0, 0);
      await closed;
      // Give the loop a few turns: no further callback after close().
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(calls).toBe(1);
      socket.close();
    });

    it('throws ERR_SOCKET_CLOSED from every method after close()', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      socket.close();
      expect(socket.fd).toBe(-1);
      const calls: Array<[string, () => unknown]> = [
        ['setNetlinkOption', () => socket.setNetlinkOption(NETLINK_PKTINFO, 1)],
        ['getNetlinkOption', () => socket.getNetlinkOption(NETLINK_PKTINFO)],
        ['setReceiveBuffer', () => socket.setReceiveBuffer(1 << 16, false)],
        ['setSendBuffer', () => socket.setSendBuffer(1 << 16)],
        ['attachFilter', () => socket.attachFilter(new Uint8Array(8))],
        ['detachFilter', () => socket.detachFilter()],
        ['send', () => socket.send(getLinkDump(1), 0, 0)],
        ['setSlab', () => socket.setSlab(new Uint8Array(1 << 17), 0, new Uint32Array(6))],
        ['start', () => socket.start()],
        ['pause', () => socket.pause()],
        ['resume', () => socket.resume()],
        ['ref', () => socket.ref()],
        ['unref', () => socket.unref()],
      ];
      for (const [name, call] of calls) {
        let caught: (Error & { code?: string }) | undefined;
        try {
          call();
        } catch (error) {
          caught = error as Error & { code?: string };
        }
        expect({ name, code: caught?.code, message: caught?.message }).toEqual({
          name,
          code: 'ERR_SOCKET_CLOSED',
          message: 'socket is closed',
        });
      }
      expect(() => socket.close()).not.toThrow();
    });

    it('stops reading on pause() and picks up what the kernel buffered on resume()', async () => {
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN) }).start();
      try {
        receiver.socket.pause();
        receiver.socket.send(getLinkDump(8), 0, 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(receiver.batches).toHaveLength(0);
        receiver.socket.resume();
        await receiver.untilDone(8);
      } finally {
        receiver.socket.close();
      }
    });

    it('does not keep the process alive once unref()d', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      socket.setSlab(new Uint8Array(1 << 17), 0, new Uint32Array(FRAME_WORDS));
      socket.unref();
      socket.start();
      socket.ref();
      socket.unref();
      socket.close();
    });
  });

  describe('teardown', () => {
    it('hands an exception thrown by the batch callback to uncaughtException', () => {
      const out = runNode(`${getLinkDumpSource}
const socket = new binding.Socket(0, 0, null, () => { throw new Error('thrown in onBatch'); });
process.on('uncaughtException', (error) => {
  console.log('uncaught: ' + error.message);
  socket.close();
});
socket.setSlab(new Uint8Array(1 << 20), 0, new Uint32Array(6 * 16));
socket.start();
socket.send(getLinkDump(1), 0, 0);
`);
      expect(out).toBe('uncaught: thrown in onBatch\n');
    });

    it('runs promise callbacks queued by the batch callback before the next I/O', () => {
      const out = runNode(`${getLinkDumpSource}
const order = [];
const socket = new binding.Socket(0, 0, null, (frames) => {
  order.push('batch');
  Promise.resolve().then(() => order.push('microtask'));
  process.nextTick(() => order.push('tick'));
  setImmediate(() => { console.log(order.join(',')); socket.close(); });
});
socket.setSlab(new Uint8Array(1 << 20), 0, new Uint32Array(6 * 16));
socket.start();
socket.send(getLinkDump(1), 0, 0);
`);
      expect(out.trim().startsWith('batch,tick,microtask')).toBe(true);
    });

    it('keeps the process alive while a started socket is ref()d', () => {
      const out = runNode(`
const socket = new binding.Socket(0, 0, null, () => {});
socket.setSlab(new Uint8Array(1 << 17), 0, new Uint32Array(6));
socket.start();
// An unref()d timer only fires if something else keeps the loop alive.
setTimeout(() => { console.log('alive'); socket.close(); }, 50).unref();
`);
      expect(out).toBe('alive\n');
    });

    it('lets the process exit while a started socket is unref()d', () => {
      const out = runNode(`
const socket = new binding.Socket(0, 0, null, () => {});
socket.setSlab(new Uint8Array(1 << 17), 0, new Uint32Array(6));
socket.unref();
socket.start();
setTimeout(() => console.log('kept alive'), 5000).unref();
process.on('exit', () => console.log('exit ' + socket.fd.toString().length));
`);
      expect(out).toMatch(/^exit \d+\n$/);
    });

    it('closes the fd of a socket that was never started when the GC collects it', () => {
      const out = runNode(
        `
const fs = require('node:fs');
let socket = new binding.Socket(0, 0, null, () => {});
const fd = socket.fd;
const link = () => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return 'closed'; } };
console.log(link().startsWith('socket:'));
socket = null;
(async () => {
  for (let i = 0; i < 20 && link() !== 'closed'; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  console.log(link());
})();
`,
        ['--expose-gc'],
      );
      expect(out).toBe('true\nclosed\n');
    });

    it('tears a worker down cleanly with sockets open, started, closing or queued', () => {
      const out = runNode(`
const { Worker } = require('node:worker_threads');
const workerSource = ${'`'}
const { parentPort, workerData } = require('node:worker_threads');
const binding = require(workerData.loader)(workerData.root);
${'$'}{${JSON.stringify(getLinkDumpSource)}}
const idle = new binding.Socket(0, 0, null, () => {});
const reading = new binding.Socket(0, 0, null, () => {});
reading.setSlab(new Uint8Array(1 << 20), 0, new Uint32Array(6 * 16));
reading.start();
reading.send(getLinkDump(1), 0, 0);
const quiet = new binding.Socket(0, 0, null, () => {});
quiet.setSlab(new Uint8Array(1 << 17), 0, new Uint32Array(6));
quiet.unref();
quiet.start();
const closing = new binding.Socket(0, 0, null, () => {});
closing.setSlab(new Uint8Array(1 << 17), 0, new Uint32Array(6));
closing.start();
closing.close();
parentPort.postMessage('ready');
if (workerData.exit) process.exit(0);
${'`'};
const data = {
  loader: ${JSON.stringify(path.join(packageRoot, 'node_modules', 'node-gyp-build'))},
  root: ${JSON.stringify(packageRoot)},
};
async function run(exit) {
  const worker = new Worker(workerSource, { eval: true, workerData: { ...data, exit } });
  const exited = new Promise((resolve) => worker.on('exit', resolve));
  await new Promise((resolve) => worker.once('message', resolve));
  if (!exit) await worker.terminate();
  return exited;
}
(async () => {
  console.log('terminate ' + (await run(false)));
  console.log('exit ' + (await run(true)));
})();
`);
      expect(out).toBe('terminate 1\nexit 0\n');
    });
  });

  describe('sending', () => {
    const NETLINK_USERSOCK = 2;

    it('queues sends the peer cannot take yet and delivers them in order', async () => {
      const sender = new binding.Socket(NETLINK_USERSOCK, 0, nsTarget(NS_MAIN), () => {});
      const receiver = new Receiver({ netns: nsTarget(NS_MAIN), protocol: NETLINK_USERSOCK, frameSlots: 256 });
      const COUNT = 100;
      try {
        receiver.socket.setReceiveBuffer(0, true);
        const results: boolean[] = [];
        for (let i = 0; i < COUNT; i++) {
          // -2: the kernel said EAGAIN and the bytes wait in the native queue.
          results.push(sender.send(new Uint8Array(1024).fill(i), receiver.socket.portId, 0) !== -2);
        }
        // The first fills the smallest receive buffer; the rest wait in order.
        expect(results.indexOf(false)).toBeGreaterThan(0);
        expect(results.slice(results.indexOf(false)).every((sent) => !sent)).toBe(true);
        receiver.start();
        await receiver.until(() => receiver.frames.length >= COUNT);
        expect(receiver.frames.map((f) => f.bytes[0])).toEqual(Array.from({ length: COUNT }, (_, i) => i));
        expect(receiver.frames.every((f) => f.port === sender.portId && f.length === 1024)).toBe(true);
      } finally {
        sender.close();
        receiver.socket.close();
      }
    });

    it('flags a datagram longer than the free tail as truncated and stores its prefix', async () => {
      const sender = new binding.Socket(NETLINK_USERSOCK, 0, nsTarget(NS_MAIN), () => {});
      // A tail of exactly one maximum datagram plus 4 bytes.
      const receiver = new Receiver({
        netns: nsTarget(NS_MAIN),
        protocol: NETLINK_USERSOCK,
        slabBytes: binding.maxDatagram + 4,
      }).start();
      const LENGTH = binding.maxDatagram + 10_000;
      try {
        const payload = new Uint8Array(LENGTH).map((_, i) => i & 0xff);
        expect(sender.send(payload, receiver.socket.portId, 0)).toBe(0);
        await receiver.until(() => receiver.frames.length === 1);
        const frame = receiver.frames[0];
        expect(frame?.flags).toBe(FRAME_TRUNCATED);
        expect(frame?.length).toBe(LENGTH);
        expect(receiver.batches[0]).toEqual({ frames: 1, slabFull: true });
        expect(receiver.slabsHanded).toBe(2);
        // What was stored is the start of the datagram.
        const stored = frame?.bytes ?? new Uint8Array(0);
        expect(stored.length).toBe(binding.maxDatagram + 4);
        expect(Buffer.compare(stored, payload.subarray(0, binding.maxDatagram + 4))).toBe(0);
      } finally {
        sender.close();
        receiver.socket.close();
      }
    });

    it('throws a system error with syscall sendto when the kernel refuses', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        // No socket is bound to this port id: unicast to it fails.
        expectSystemError(() => socket.send(new Uint8Array(16), 0x7fffffff, 0), 'ECONNREFUSED', 'sendto');
      } finally {
        socket.close();
      }
    });
  });

  describe('options', () => {
    it('forces a receive buffer of at least 1 MiB', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        expect(socket.setReceiveBuffer(1 << 20, true)).toBeGreaterThanOrEqual(1 << 20);
        expect(socket.setSendBuffer(1 << 16)).toBeGreaterThanOrEqual(1 << 16);
      } finally {
        socket.close();
      }
    });

    it.each([
      ['empty', 0],
      ['not a multiple of 8', 7],
      ['one and a half instructions', 12],
    ])('rejects a BPF program that is %s with a RangeError', (_label, length) => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        expect(() => socket.attachFilter(new Uint8Array(length))).toThrow(RangeError);
      } finally {
        socket.close();
      }
    });

    it('attaches and detaches a classic BPF filter', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        // BPF_RET | BPF_K, k = 0xffffffff: accept everything.
        const program = new Uint8Array([0x06, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]);
        socket.attachFilter(program);
        socket.detachFilter();
      } finally {
        socket.close();
      }
    });

    it('throws a system error for an unknown netlink option', () => {
      const socket = new binding.Socket(NETLINK_ROUTE, 0, null, () => {});
      try {
        expectSystemError(() => socket.setNetlinkOption(9999, 1), 'ENOPROTOOPT', 'setsockopt');
      } finally {
        socket.close();
      }
    });
  });
});
