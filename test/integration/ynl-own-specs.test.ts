// nlkit ynl on the project's own specs whose replies have another
// operation's message type (sock_diag dumps answer with the sock message):
// they decode by their type, as the kernel's ynl tool does.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

describe.skipIf(!canUseKernel)('nlkit ynl on sock_diag', () => {
  let ns = '';
  let holder: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    ns = await createNetns('ynl-own');
    // A listener in the namespace: a child that listens on 127.0.0.1:5555 until killed.
    holder = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', "require('net').createServer().listen(5555, '127.0.0.1', () => console.log('up'))"], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => holder!.stdout!.once('data', () => resolve()));
  });
  afterAll(async () => {
    holder?.kill();
    await removeNetns(ns);
  });

  it('dumps the namespace TCP sockets, each decoded as a sock message', async () => {
    let out = '';
    let err = '';
    const spec = new URL('../../specs/sock-diag-inet.yaml', import.meta.url).pathname;
    const code = await main(
      ['ynl', '--netns', ns, '--spec', spec, '--dump', 'get', '--json', '{"sdiag-family": 2, "sdiag-protocol": 6, "idiag-states": 4294967295}', '--output-json'],
      {
        stdout: (t) => void (out += t),
        stderr: (t) => void (err += t),
        env: {},
        stdoutIsTTY: false,
      },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const socks = JSON.parse(out) as { 'idiag-state': string; id: { sport: number } }[];
    expect(socks.map((s) => [s['idiag-state'], s.id.sport])).toEqual([['listen', 5555]]);
  });
});
