// `nlkit conntrack -L` next to `conntrack -L` on the same table (entries made
// with `conntrack -I`), timeouts aside.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConntrack } from '../../src/cli/conntrack/index.js';
import type { CommandIO } from '../../src/cli/ynl.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const conntrackTool = (() => {
  try {
    execFileSync('conntrack', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function ctTool(ns: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'conntrack', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Output lines with the timeout (third field) blanked, sorted. */
function untimed(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^(\S+\s+\d+) \d+ /, '$1 T '))
    .sort();
}

async function nlkit(ns: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {}, stdoutIsTTY: false };
  const code = await runConntrack(args, io, { netns: ns });
  return { code, out, err };
}

describe.skipIf(!canUseKernel || !conntrackTool)('nlkit conntrack -L', () => {
  let ns: string | undefined;
  beforeAll(async () => {
    ns = await createNetns('ct-cli');
    ctTool(ns, ['-I', '-p', 'tcp', '-s', '10.3.0.1', '-d', '10.3.0.2', '--sport', '1111', '--dport', '22', '--state', 'ESTABLISHED', '-t', '120', '-u', 'ASSURED', '-m', '3']);
    ctTool(ns, ['-I', '-p', 'udp', '-s', '10.3.0.1', '-d', '10.3.0.3', '--sport', '2', '--dport', '53', '-t', '60', '-w', '4']);
    ctTool(ns, ['-I', '-p', 'icmp', '-s', '10.3.0.1', '-d', '10.3.0.4', '--icmp-type', '8', '--icmp-code', '0', '--icmp-id', '9', '-t', '30']);
    ctTool(ns, ['-I', '-p', 'udp', '-s', 'fd00::1', '-d', 'fd00::2', '--sport', '2', '--dport', '53', '-t', '60']);
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('prints what conntrack -L prints, timeouts aside', async () => {
    const r = await nlkit(ns!, ['-L']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.\n');
    expect(untimed(r.out)).toEqual(untimed(ctTool(ns!, ['-L'])));
  });

  it('applies the same filters as conntrack -L', async () => {
    for (const args of [
      ['-p', 'udp'],
      ['-f', 'ipv6'],
      ['-d', '10.3.0.2'],
      ['-p', 'udp', '--dport', '53'],
      ['-m', '3'],
      ['-w', '4'],
    ]) {
      const r = await nlkit(ns!, ['-L', ...args]);
      expect(untimed(r.out), args.join(' ')).toEqual(untimed(ctTool(ns!, ['-L', ...args])));
    }
  });

  it('refuses bad command lines as conntrack does: exit status and first line', async () => {
    const tool = (args: string[]): { code: number; first: string } => {
      try {
        ctTool(ns!, args);
        return { code: 0, first: '' };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, first: err.stderr.split('\n')[0]! };
      }
    };
    for (const args of [['-X'], ['--bogus'], ['-L', '-p', 'nosuchproto'], ['-L', '-f', 'ipv5']]) {
      const r = await nlkit(ns!, args);
      expect({ code: r.code, first: r.err.split('\n')[0] }, args.join(' ')).toEqual(tool(args));
    }
  });
});
