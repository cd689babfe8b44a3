// Helpers for integration tests: namespaces that each test file creates and
// always removes, and `ip` run inside them for setup and for reference output.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { netns } from '../../src/index.js';

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
