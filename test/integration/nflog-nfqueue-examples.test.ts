// The nflog and nfqueue examples (examples/nflog-logger.mjs,
// examples/nfqueue-filter.mjs) as a user runs them, against a private build
// of the package: a bad command line exits with 2, a failure with 1 and one
// line on stderr; in a namespace this test makes and deletes, the logger
// prints the packets a rule logs, and the filter sees every packet of a ping
// flood and its verdicts take effect.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const SCRIPTS = ['examples/nflog-logger.mjs', 'examples/nfqueue-filter.mjs'] as const;
const missing = uniqueNetnsName('missing');
const exec = promisify(execFile);
let dir: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'nlkit-examples-nf-'));
  buildPrivatePackage(dir, SCRIPTS);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

function run(script: string, args: string[]): { status: number | null; stdout: string[]; stderr: string[] } {
  const r = spawnSync(process.execPath, [path.join(dir!, 'examples', script), ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: lines(r.stdout), stderr: lines(r.stderr) };
}

/** Starts an example and resolves once it says on stderr that it listens; `closed` gives its exit status. */
async function start(script: string, args: string[]): Promise<{ stdout: string[]; stderr: string[]; closed: Promise<number | null> }> {
  const child = spawn(process.execPath, [path.join(dir!, 'examples', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (l) => {
      stderr.push(l);
      if (/^(Logging|Filtering) /.test(l)) resolve();
    });
    void closed.then(() => reject(new Error(`${script} ended before it listened: ${stderr.join('\n')}`)));
  });
  createInterface({ input: child.stdout }).on('line', (l) => stdout.push(l));
  await ready;
  return { stdout, stderr, closed };
}

/** Sends UDP datagrams from inside the namespace to 127.0.0.1, one per "port:text". */
function udpSend(ns: string, sends: string[]): Promise<unknown> {
  const script = `import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor a in sys.argv[1:]:\n    port, text = a.split(":", 1)\n    s.sendto(text.encode(), ("127.0.0.1", int(port)))\n`;
  return exec('ip', ['netns', 'exec', ns, 'python3', '-c', script, ...sends]);
}

describe('the nflog and nfqueue examples, given a bad command line', () => {
  it.each([
    ['nflog-logger', [], ['nflog-logger: --group N is required (the log group of your rule)']],
    ['nflog-logger', ['--group', '70000'], ["nflog-logger: --group wants a group number 0..65535, not '70000'"]],
    ['nflog-logger', ['--group', '1', '--count', '0'], ["nflog-logger: --count wants a positive integer, not '0'"]],
    ['nfqueue-filter', [], ['nfqueue-filter: --queue N is required (the queue number of your rule)']],
    ['nfqueue-filter', ['--queue', '1', '--drop-udp', 'dns'], ["nfqueue-filter: --drop-udp wants a port 1..65535, not 'dns'"]],
    ['nfqueue-filter', ['--queue', '1', 'extra'], ["nfqueue-filter: Unexpected argument 'extra'. This command does not take positional arguments"]],
  ])('%s %j says what is wrong and exits with 2', (name, args, stderr) => {
    expect(run(`${name}.mjs`, args)).toEqual({ status: 2, stdout: [], stderr });
  });
});

describe.skipIf(!canUseKernel)('nflog-logger and nfqueue-filter in a namespace', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNetns('nf-examples');
    execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
      input: `table inet nlkit {
        chain logging {
          type filter hook input priority -10; policy accept;
          udp dport 9100 log prefix "example" group 9
        }
        chain later {
          type filter hook input priority 10; policy accept;
          udp dport 9200 counter comment "kept"
          udp dport 9201 counter comment "dropped"
        }
      }`,
    });
    // iptables' NFQUEUE target: this kernel has no nft queue expression (see nfqueue.test.ts).
    for (const match of [
      ['-p', 'icmp', '--icmp-type', 'echo-request'],
      ['-p', 'udp', '--dport', '9200:9201'],
    ])
      execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-A', 'INPUT', ...match, '-j', 'NFQUEUE', '--queue-num', '9']);
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('given a namespace that does not exist, each prints one line and exits with 1', () => {
    const why = `no network namespace '${missing}' (/run/netns/${missing} does not exist)`;
    expect(run('nflog-logger.mjs', ['-n', missing, '--group', '1'])).toEqual({ status: 1, stdout: [], stderr: [`nflog-logger: ${why}`] });
    expect(run('nfqueue-filter.mjs', ['-n', missing, '--queue', '1'])).toEqual({ status: 1, stdout: [], stderr: [`nfqueue-filter: ${why}`] });
  });

  it('nflog-logger prints each logged packet: prefix, hook, interfaces, protocol and addresses', async () => {
    const logger = await start('nflog-logger.mjs', ['-n', ns, '--group', '9', '--count', '3']);
    await udpSend(ns, ['9100:one', '9100:two', '9100:three']);
    expect(await logger.closed).toBe(0);
    expect(logger.stderr).toEqual([`Logging nflog group 9 in netns ${ns}; Ctrl-C to stop.`]);
    expect(logger.stdout).toEqual(
      [31, 31, 33].map((len) => expect.stringMatching(new RegExp(`^"example" input IN=lo OUT= udp 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:9100 len=${len}$`))),
    );
  });

  it("nflog-logger --json prints each packet's fields, bytes as hex", async () => {
    const logger = await start('nflog-logger.mjs', ['-n', ns, '--group', '9', '--count', '1', '--json']);
    await udpSend(ns, ['9100:json']);
    expect(await logger.closed).toBe(0);
    expect(logger.stdout).toHaveLength(1);
    const p = JSON.parse(logger.stdout[0]!) as Record<string, unknown>;
    expect(p).toMatchObject({ group: 9, prefix: 'example', family: 'ipv4', hook: 'input', hwProtocol: 0x0800, mark: 0, indev: 1 });
    expect(p.payload).toMatch(new RegExp(`^45.*${Buffer.from('json').toString('hex')}$`));
  });

  it('nfqueue-filter sees every packet of a ping flood, which loses none', async () => {
    const filter = await start('nfqueue-filter.mjs', ['-n', ns, '--queue', '9', '--count', '100']);
    const { stdout } = await exec('ip', ['netns', 'exec', ns, 'ping', '-f', '-c', '100', '-W', '0.5', '127.0.0.1']);
    expect(await filter.closed).toBe(0);
    expect(stdout).toContain('100 packets transmitted, 100 received, 0% packet loss');
    expect(filter.stdout).toEqual(Array(100).fill('accept icmp 127.0.0.1 -> 127.0.0.1'));
  });

  it('nfqueue-filter drops UDP to the ports given and accepts the rest: the rule after the queue counts only those', async () => {
    const filter = await start('nfqueue-filter.mjs', ['-n', ns, '--queue', '9', '--drop-udp', '9201', '--count', '4']);
    await udpSend(ns, ['9200:a', '9201:b', '9200:c', '9201:d']);
    expect(await filter.closed).toBe(0);
    expect(filter.stdout).toEqual(
      ['accept', 'drop', 'accept', 'drop'].map((v, i) => expect.stringMatching(new RegExp(`^${v} udp 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${i % 2 ? 9201 : 9200}$`))),
    );
    const ruleset = JSON.parse(execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'nlkit'], { encoding: 'utf8' })) as {
      nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[];
    };
    const count = (comment: string): number | undefined => ruleset.nftables.find((o) => o.rule?.comment === comment)?.rule?.expr.find((e) => e.counter)?.counter?.packets;
    expect([count('kept'), count('dropped')]).toEqual([2, 0]);
  });
});
