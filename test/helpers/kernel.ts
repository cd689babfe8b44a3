// Helpers for integration tests: namespaces that each test file creates and
// always removes, and `ip` run inside them for setup and for reference output.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RTNLGRP_LINK } from '../../src/families/route/constants.js';
import { NetlinkSocket, netns } from '../../src/index.js';

/** True when the process may create namespaces (integration tests need root). */
export const canUseKernel = process.getuid?.() === 0;

let counter = 0;

/** A unique namespace name for this process. */
export function uniqueNetnsName(tag: string): string {
  counter++;
  return `nlkit-t-${tag}-${process.pid}-${counter}`;
}

/** Creates a named namespace with lo up; returns its name. */
export async function createNetns(tag: string): Promise<string> {
  const name = uniqueNetnsName(tag);
  await netns.create(name);
  ip(name, ['link', 'set', 'lo', 'up']);
  return name;
}

/** Removes a namespace made by createNetns (ignores one that is already gone). */
export async function removeNetns(name: string | undefined): Promise<void> {
  if (!name) return;
  try {
    await netns.remove(name);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
}

/** Runs `ip -n NS ARGS` and returns stdout; throws with ip's stderr on failure. */
export function ip(ns: string, args: string[]): string {
  return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

/** Runs `ip -n NS -j ARGS` and parses its JSON. */
export function ipJson<T = unknown>(ns: string, args: string[]): T {
  const out = ip(ns, ['-j', ...args]).trim();
  return (out ? JSON.parse(out) : []) as T;
}

/** Runs many ip commands at once through `ip -batch` (one command per line, without the leading `ip`). */
export function ipBatch(ns: string, lines: readonly string[]): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-batch-'));
  try {
    const file = path.join(dir, 'cmds');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = spawnSync('ip', ['-n', ns, '-force', '-batch', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`ip -batch failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts `ip -batch` in the background; resolves when it exits. */
export function ipBatchAsync(ns: string, lines: readonly string[]): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-batch-'));
  const file = path.join(dir, 'cmds');
  writeFileSync(file, lines.join('\n') + '\n');
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn('ip', ['-n', ns, '-force', '-batch', file], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          rmSync(dir, { recursive: true, force: true });
          if (code === 0) resolve();
          else reject(new Error(`ip -batch failed (${code}): ${stderr.slice(0, 2000)}`));
        });
      }),
  );
}

/** Operational state of each link of a namespace, as `ip -j link show` gives it. */
export function operstates(ns: string): Record<string, string> {
  return Object.fromEntries(ipJson<{ ifname: string; operstate: string }[]>(ns, ['link', 'show']).map((l) => [l.ifname, l.operstate]));
}

/**
 * Waits until the named links of a namespace show the given operational
 * states. The kernel's linkwatch sets a link's operstate after the command
 * that changed its carrier has returned (up to a second later) and announces
 * every change of a running link with an RTM_NEWLINK (netdev_state_change();
 * a link that is down reads as DOWN at once): so the state is read, and read
 * again after each link event, until it is the one wanted. `timeoutMs` only
 * bounds a wait that would otherwise never end; reaching it fails.
 */
export async function waitForOperstates(ns: string, want: Record<string, string>, timeoutMs = 20_000): Promise<void> {
  const socket = await NetlinkSocket.open(0, { netns: ns });
  // Joined before the first read, so no change can fall between the read and the wait.
  const events = socket.subscribe(RTNLGRP_LINK);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`links of ${ns} did not reach ${JSON.stringify(want)} within ${timeoutMs} ms: ${JSON.stringify(operstates(ns))}`)), timeoutMs);
  });
  try {
    for (;;) {
      const now = operstates(ns);
      if (Object.entries(want).every(([name, state]) => now[name] === state)) return;
      // Any link event (or an overrun, after which the state is read anew as well).
      const next = await Promise.race([events.next(), expired]);
      if (next.done) throw new Error(`the link event subscription in ${ns} ended`);
    }
  } finally {
    clearTimeout(timer);
    events.close();
    socket.close();
  }
}

/** Exit status and output of a command that may fail. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ip -n NS ARGS`, returning status and output instead of throwing. */
export function ipRun(ns: string, args: string[]): Run {
  const r = spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
