// examples/ip-monitor.mjs as a user runs it: `node examples/ip-monitor.mjs
// -n NS ...` in a child process (against a private build of the package),
// while the test makes link, address, route, neighbour and rule events in a
// namespace of its own with `ip`. Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, ip, ipBatch, ipJson, removeNetns } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPT = 'examples/ip-monitor.mjs';
/** How long a wait for output may take before the test fails with what was printed. */
const PATIENCE_MS = 20_000;

/** The script running in the background, its output lines as they arrive, and its end. */
class Script {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private ended = false;
  private wake: () => void = () => {};

  constructor(readonly child: ChildProcess) {
    for (const [stream, lines] of [
      [child.stdout!, this.stdout],
      [child.stderr!, this.stderr],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        this.wake();
      });
    }
    // 'close' comes after both pipes have ended, so every line has been read by then.
    this.closed = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.ended = true;
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  /** Resolves once `done()` holds; fails when the script ends first or nothing comes for a long time. */
  async until(what: string, done: () => boolean): Promise<void> {
    const deadline = Date.now() + PATIENCE_MS;
    while (!done()) {
      if (this.ended || Date.now() > deadline) {
        throw new Error(`${this.ended ? 'the script ended' : 'timed out'} waiting for ${what}\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

describe.skipIf(!canUseKernel)('examples/ip-monitor.mjs', () => {
  let dir: string | undefined;
  let ns: string | undefined;
  const running: Script[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-ip-monitor-'));
    buildPrivatePackage(dir, [SCRIPT]);
    ns = await createNetns('ipmon');
  });

  afterEach(() => {
    // A failed test must not leave a script running (or stopped).
    for (const s of running.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  });

  afterAll(async () => {
    await removeNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the script in the test's namespace; resolves once it listens to `kinds` (its "Monitoring ..." line on stderr). */
  async function start(args: string[], kinds: string): Promise<Script> {
    const child = spawn(process.execPath, [path.join(dir!, SCRIPT), '-n', ns!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const script = new Script(child);
    running.push(script);
    await script.until('the script to listen', () => script.stderr.length > 0);
    expect(script.stderr).toEqual([`Monitoring ${kinds} in netns ${ns!}; Ctrl-C to stop.`]);
    return script;
  }

  const link = (name: string): { ifindex: number; address: string } => ipJson<{ ifindex: number; address: string }[]>(ns!, ['link', 'show', name])[0]!;

  it('prints one line per event of every kind, and exits with 0 on SIGINT', async () => {
    const script = await start([], 'link, address, route, neighbour, rule');
    ip(ns!, ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
    const [v0, v1] = [link('v0'), link('v1')];
    ip(ns!, ['addr', 'add', '10.9.0.1/24', 'dev', 'v0']);
    ip(ns!, ['route', 'add', 'blackhole', '10.20.0.0/16']);
    ip(ns!, ['route', 'add', 'unreachable', '10.31.0.0/16', 'table', '100', 'metric', '7']);
    ip(ns!, ['rule', 'add', 'from', '10.1.0.0/16', 'table', '100', 'pref', '100']);
    ip(ns!, ['neigh', 'add', '10.9.0.3', 'lladdr', '02:00:00:00:00:03', 'dev', 'v0']);
    ip(ns!, ['link', 'del', 'v0']);
    const gone = (name: string): boolean => script.stdout.some((l) => l.startsWith('[LINK] Deleted ') && l.includes(`: ${name}: `));
    await script.until('both veth ends to be deleted', () => gone('v0') && gone('v1'));
    script.child.kill('SIGINT');
    expect(await script.closed).toEqual({ code: 0, signal: null });

    const v0Text = `${v0.ifindex}: v0: <BROADCAST,MULTICAST> mtu 1500 state DOWN veth link/ether ${v0.address}`;
    const v1Text = `${v1.ifindex}: v1: <BROADCAST,MULTICAST> mtu 1500 state DOWN veth link/ether ${v1.address}`;
    const expected = [
      `[LINK] ${v1Text}`,
      `[LINK] ${v0Text}`,
      `[ADDR] ${v0.ifindex}: v0 inet 10.9.0.1/24 scope global`,
      '[ROUTE] local 10.9.0.1 dev v0 table local proto kernel scope host',
      '[ROUTE] blackhole 10.20.0.0/16 table main proto boot scope global',
      '[ROUTE] unreachable 10.31.0.0/16 table 100 proto boot scope global metric 7',
      '[RULE] 100: from 10.1.0.0/16 lookup 100',
      '[NEIGH] 10.9.0.3 dev v0 lladdr 02:00:00:00:00:03 PERMANENT',
      // Deleting v0 takes its peer, its address, the address's local route and its neighbours with it.
      `[ADDR] Deleted ${v0.ifindex}: v0 inet 10.9.0.1/24 scope global`,
      '[ROUTE] Deleted local 10.9.0.1 dev v0 table local proto kernel scope host',
      '[NEIGH] Deleted 10.9.0.3 dev v0 lladdr 02:00:00:00:00:03 PERMANENT',
      `[LINK] Deleted ${v0Text}`,
      `[LINK] Deleted ${v1Text}`,
    ];
    expect([...script.stdout].sort()).toEqual([...expected].sort());
    // The commands' own events come in the order the commands ran.
    const at = (line: string): number => script.stdout.indexOf(line);
    const ordered = [expected[2]!, expected[4]!, expected[5]!, expected[6]!, expected[7]!, expected[11]!].map(at);
    expect(ordered).toEqual([...ordered].sort((a, b) => a - b));
    expect(script.stderr).toHaveLength(1);
  });

  it('with --json prints one JSON object per event, only of the kinds asked for, and --count ends it', async () => {
    const script = await start(['--json', '--count', '3', 'route', 'link'], 'route, link');
    ip(ns!, ['rule', 'add', 'from', '10.2.0.0/16', 'table', '200', 'pref', '200']);
    ip(ns!, ['route', 'add', 'blackhole', '10.40.0.0/16']);
    ip(ns!, ['link', 'add', 'j0', 'type', 'veth', 'peer', 'name', 'j1']);
    expect(await script.closed).toEqual({ code: 0, signal: null });
    ip(ns!, ['link', 'del', 'j0']);

    expect(script.stdout).toHaveLength(3);
    const [route, ...links] = script.stdout.map((l) => JSON.parse(l) as unknown);
    expect(route).toEqual({
      action: 'new',
      kind: 'route',
      object: { family: 'inet', dst: '10.40.0.0/16', tos: 0, table: 254, protocol: 'boot', scope: 'global', type: 'blackhole', flags: [] },
    });
    // u64 counters (bigint) come out as decimal strings.
    const counters = { rxPackets: '0', txPackets: '0', rxBytes: '0', txBytes: '0' };
    expect(links).toMatchObject([
      { action: 'new', kind: 'link', object: { name: 'j1', kind: 'veth', mtu: 1500, operstate: 'DOWN', stats: counters } },
      { action: 'new', kind: 'link', object: { name: 'j0', kind: 'veth', mtu: 1500, operstate: 'DOWN', stats: counters } },
    ]);
  });

  it('reports an overrun on stderr and goes on monitoring', async () => {
    // A tiny receive buffer and a reader that is stopped during a burst: the kernel has to drop events.
    const script = await start(['--rcvbuf', '4096', 'route'], 'route');
    script.child.kill('SIGSTOP');
    const burst = Array.from({ length: 1000 }, (_, i) => `route add blackhole 10.${100 + (i >> 8)}.${i & 255}.0/24`);
    ipBatch(ns!, burst);
    script.child.kill('SIGCONT');
    // The kernel reports one overrun for a whole episode of congestion: until a read empties
    // the socket's queue (NETLINK_S_CONGESTED, netlink_broadcast_deliver()), later events are
    // dropped without another ENOBUFS. A route added while the script still reads what the
    // burst left is lost inside the episode it reported: one more is added each second.
    let last = '';
    for (let k = 0; k < 20 && !script.stdout.includes(last); k++) {
      ip(ns!, ['route', 'add', 'blackhole', `10.99.${k}.0/24`]);
      last = `[ROUTE] blackhole 10.99.${k}.0/24 table main proto boot scope global`;
      const deadline = Date.now() + 1000;
      while (!script.stdout.includes(last) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await script.until('the event after the burst', () => script.stdout.includes(last));
    script.child.kill('SIGINT');
    expect(await script.closed).toEqual({ code: 0, signal: null });

    expect(script.stderr.slice(1)).toContain('overrun: the kernel dropped events (receive buffer full); some changes were missed, continuing');
    const fromBurst = script.stdout.filter((l) => /^\[ROUTE\] blackhole 10\.10[0-3]\./.test(l));
    expect(fromBurst.length).toBeLessThan(burst.length);
    expect(script.stdout.at(-1)).toBe(last);
  });

  it('refuses an unknown object and a bad --count with exit status 2', async () => {
    for (const [args, message] of [
      [['bogus'], "ip-monitor: unknown object 'bogus' (link, address, route, neigh, rule, all)"],
      [['--count', '0'], "ip-monitor: --count wants a positive integer, not '0'"],
    ] as const) {
      const script = new Script(spawn(process.execPath, [path.join(dir!, SCRIPT), '-n', ns!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
      running.push(script);
      expect(await script.closed).toEqual({ code: 2, signal: null });
      expect(script.stderr).toEqual([message]);
      expect(script.stdout).toEqual([]);
    }
  });
});
