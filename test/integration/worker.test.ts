// Terminating a worker_threads Worker whose nlkit socket is receiving must
// never abort the process (issue 8, item 2): the addon may not call into JS,
// nor build a JS error, once the Worker's environment is being torn down.
// The Workers run in a child process (test/fixtures/worker-teardown.mjs,
// against a private build of the package), so an abort fails the test
// instead of killing the test runner. Needs root.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, ipBatch, removeNetns } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const FIXTURE = 'test/fixtures/worker-teardown.mjs';
/** Routes in the namespace: a dump of them spans dozens of datagrams, most of them read ahead. */
const ROUTES = 20_000;
const WORKERS = 100;
/** Workers alive at once (each loads the whole package, which takes most of a Worker's life). */
const PARALLEL = 4;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!canUseKernel)('terminating Workers whose nlkit socket is receiving', () => {
  let dir: string | undefined;
  let ns: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-worker-'));
    buildPrivatePackage(dir, [FIXTURE]);
    ns = await createNetns('worker');
    ipBatch(
      ns,
      Array.from({ length: ROUTES }, (_, i) => `route add blackhole 10.77.${i >> 8}.${i & 255}/32 table 177`),
    );
  }, 60_000);

  afterAll(async () => {
    await removeNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the fixture to its end in a child process (killed if it hangs, so it never outlives the test). */
  function runFixture(mode: 'dump' | 'subscribe'): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(dir!, FIXTURE), mode, ns!, String(WORKERS), String(PARALLEL)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 50_000,
        killSignal: 'SIGKILL',
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  it(`survives ${WORKERS} Workers terminated at the first message of a ${ROUTES}-route dump`, async () => {
    const outcome = await runFixture('dump');
    expect({ code: outcome.code, signal: outcome.signal, stderr: outcome.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(JSON.parse(outcome.stdout)).toEqual({ mode: 'dump', terminated: WORKERS });
  }, 60_000);

  it(`survives ${WORKERS} Workers terminated in the middle of a stream of route events`, async () => {
    const outcome = await runFixture('subscribe');
    expect({ code: outcome.code, signal: outcome.signal, stderr: outcome.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(JSON.parse(outcome.stdout)).toEqual({ mode: 'subscribe', terminated: WORKERS });
  }, 60_000);
});
