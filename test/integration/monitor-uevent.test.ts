// `nlkit monitor uevent` as a process: the command reaches the uevent printer
// and prints the kernel's events of a namespace as they come.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrivatePackage } from '../helpers/private-dist.js';
import { canUseKernel, createNetns, ip, removeNetns } from '../helpers/kernel.js';

describe.skipIf(!canUseKernel)('nlkit monitor uevent', () => {
  let ns = '';
  let dir = '';
  beforeAll(async () => {
    ns = await createNetns('muev');
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-muev-'));
    buildPrivatePackage(dir, [], ['src/cli/main.ts']);
  }, 120_000);
  afterAll(async () => {
    await removeNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the add event of a new link with its properties, and -j prints JSON', async () => {
    for (const json of [false, true]) {
      const child = spawn(process.execPath, [path.join(dir, 'dist/cli/main.js'), '-n', ns, ...(json ? ['-j'] : []), 'monitor', 'uevent'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let exited = false;
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', () => (exited = true));
      try {
        // Links come and go until an add event of one shows (the monitor listens by then;
        // it may start between an add and its del, so a remove alone does not count).
        const name = json ? 'mj' : 'mt';
        const text = new RegExp(`^KERNEL\\[[0-9.]+\\] add +/devices/virtual/net/${name} \\(net\\)$`, 'm');
        const seen = (): boolean => (json ? out.split('\n').some((l) => l.includes('"action":"add"') && l.includes(`"INTERFACE":"${name}"`)) : text.test(out));
        for (let i = 0; i < 200_000 && !exited && !seen(); i++) {
          if (i % 2000 === 0) {
            ip(ns, ['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
            ip(ns, ['link', 'del', name]);
          }
          await nextTurn();
        }
        expect(exited).toBe(false);
        expect(seen()).toBe(true);
      } finally {
        child.kill('SIGKILL');
      }
    }
  }, 60_000);
});
