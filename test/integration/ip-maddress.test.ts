// `nlkit maddress add|del` beside iproute2 6.1 in a namespace with a veth
// pair: an address one tool adds the other shows and removes (both tools'
// `maddress show` agreeing), and every refusal with ip's first line and exit
// status (bad addresses, no such device, deleting an absent address).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIp } from '../../src/cli/ip/index.js';
import { changeMulticast } from '../../src/io/ifreq.js';
import { nativeBinding } from '../../src/io/native.js';
import { canUseKernel, createNetns, ip, ipRun, removeNetns, type Run } from '../helpers/kernel.js';

async function nlkit(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runIp(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const firstLine = (r: Run): Run => ({ ...r, stderr: r.stderr.split('\n')[0]! });

/** Starts a process inside the namespace (nlkit reads its /proc/net through it) and resolves once it runs there. */
async function dweller(ns: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo ready; exec sleep 600'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve());
  });
  return child;
}

describe.skipIf(!canUseKernel)('ip maddress add|del against ip 6.1', () => {
  let ns: string | undefined;
  let twin: string | undefined;
  let inside: ChildProcess | undefined;

  beforeAll(async () => {
    ns = await createNetns('maddr');
    twin = await createNetns('maddr-twin');
    for (const n of [ns, twin]) {
      // The same MAC addresses in both (IPv6 joins groups named after them).
      ip(n, ['link', 'add', 'v0', 'address', '02:00:00:00:00:01', 'type', 'veth', 'peer', 'name', 'v1', 'address', '02:00:00:00:00:02']);
      ip(n, ['link', 'set', 'v0', 'up']);
    }
    inside = await dweller(ns);
  });

  afterAll(async () => {
    if (inside?.pid !== undefined) process.kill(inside.pid);
    await removeNetns(ns);
    await removeNetns(twin);
  });

  const shown = (n: string): string => ip(n, ['maddress', 'show', 'dev', 'v0']);

  it('adds an address ip then shows as static, nlkit showing the same, and deletes it', async () => {
    expect(await nlkit(['-n', ns!, 'maddress', 'add', '33:33:00:00:00:09', 'dev', 'v0'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(shown(ns!)).toContain('link  33:33:00:00:00:09 static');
    for (const args of [
      ['maddress', 'show', 'dev', 'v0'],
      ['-j', 'maddress', 'show'],
    ])
      expect(await nlkit(['-n', ns!, ...args])).toEqual(ipRun(ns!, args));
    expect(await nlkit(['-n', ns!, 'maddress', 'del', '33:33:00:00:00:09', 'dev', 'v0'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(shown(ns!)).not.toContain('33:33:00:00:00:09');
  });

  it('adds an address once however often either tool adds it, and removes it once', async () => {
    // A hand-added address is global (dev_mc_add_global()): adding it again changes nothing, deleting it twice fails.
    for (const tool of ['ip', 'nlkit', 'nlkit'] as const) {
      const args = ['maddress', tool === 'nlkit' ? 'add' : 'a', 'address', '01:00:5e:00:00:42', 'dev', 'v0'];
      expect((tool === 'nlkit' ? await nlkit(['-n', ns!, ...args]) : ipRun(ns!, args)).code).toBe(0);
    }
    expect(shown(ns!)).toContain('link  01:00:5e:00:00:42 static\n');
    const args = ['maddress', 'delete', '01:00:5e:00:00:42', 'dev', 'v0'];
    expect(await nlkit(['-n', ns!, ...args])).toEqual({ code: 0, stdout: '', stderr: '' });
    const again = { code: 1, stdout: '', stderr: 'ioctl: No such file or directory\n' };
    expect(ipRun(ns!, args)).toEqual(again);
    expect(await nlkit(['-n', ns!, ...args])).toEqual(again);
    expect(shown(ns!)).not.toContain('01:00:5e:00:00:42');
  });

  // Each command runs in twin namespaces, one through each tool: same output, same status, same list afterwards.
  it.each(
    [
      ['maddress', 'del', '33:33:00:00:00:77', 'dev', 'v0'],
      ['maddress', 'add', '33:33:00:00:00:09', 'dev', 'nosuch'],
      ['maddress', 'add', '33:33:00:00:00:0g', 'dev', 'v0'],
      ['maddress', 'add', '33:33:00:00:00', 'dev', 'v0'],
      ['maddress', 'add', '33:33:00:00:00:00:01', 'dev', 'v0'],
      ['maddress', 'add', '1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16', 'dev', 'v0'],
      ['maddress', 'add', '3333.0000.0009', 'dev', 'v0'],
      ['maddress', 'add', '10.0.0.1', 'dev', 'v0'],
      ['maddress', 'add', 'zz', 'dev', 'v0'],
      ['maddress', 'add', '33:33:00:00:00:09'],
      ['maddress', 'add', '33:33:00:00:00:09', 'dev'],
      ['maddress', 'add', '33:33:00:00:00:09', '33:33:00:00:00:08', 'dev', 'v0'],
      ['maddress', 'add', '33:33:00:00:00:09', 'dev', 'v0', 'dev', 'v1'],
      ['maddress', 'add', '33:33:00:00:00:09', 'dev', 'a b'],
      ['maddress', 'add', 'help'],
      ['maddress', 'add', 'address'],
      ['maddress', 'add', '01:00:5e:01:02:03', 'dev', 'lo'],
      ['maddress', 'add', 'dev', 'v1'],
      ['-6', 'maddress', 'add', '33:33:00:00:00:0a', 'dev', 'v1'],
      ['-0', 'maddress', 'add', '33:33:00:00:00:0b', 'dev', 'v1'],
      ['maddress', 'add', '33:33:00:00:00:0c', 'dev', 'v1:9'],
      ['maddress', 'd', '33:33:00:00:00:0c', 'dev', 'v1'],
    ].map((c) => [c]),
  )('%j does what ip does', async (args) => {
    const got = firstLine(await nlkit(['-n', twin!, ...args]));
    const want = firstLine(ipRun(ns!, args));
    expect(got).toEqual(want);
    expect(ip(twin!, ['maddress', 'show'])).toBe(ip(ns!, ['maddress', 'show']));
  });

  it('checks what fits in struct ifreq before calling the addon', () => {
    expect(() => changeMulticast({ add: true, ifname: '', address: new Uint8Array(6), family: 2 })).toThrow(RangeError);
    expect(() => changeMulticast({ add: true, ifname: 'v0', address: new Uint8Array(15), family: 2 })).toThrow('address must be at most 14 bytes, got 15');
  });

  it('fails with the system error of the ioctl, run in the namespace without moving the calling thread', () => {
    const before = nativeBinding().currentNetnsInode();
    let err: unknown;
    try {
      changeMulticast({ add: false, ifname: 'v0', address: Uint8Array.of(0x33, 0x33, 0, 0, 0, 0x55), family: 2, netns: ns! });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'ENOENT', errno: 2, syscall: 'ioctl(SIOCDELMULTI)' });
    expect(nativeBinding().currentNetnsInode()).toBe(before);
  });
});
