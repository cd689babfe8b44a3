// Dumps are read ahead on a thread of the addon's own, not on the libuv
// threadpool (issue 9, item 4): with every pool thread taken — by crypto
// work that never stops, or blocked outright — a long dump still completes
// whole and a burst of route events arrives without a loss, on a socket of
// its own and on a subscribed socket that dumps too. Runs in a child process
// (test/fixtures/busy-threadpool.mjs, against a private build of the
// package) so that the pool of the test runner is left alone. Nothing is
// timed: with a blocked pool, a dump that needed a pool thread would never
// end, and a marker event added after the burst shows that every earlier
// event was read. Needs root.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseKernel, createNetns, ipBatch, removeNetns } from '../helpers/kernel.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';

const FIXTURE = 'test/fixtures/busy-threadpool.mjs';
/** Routes in table 177: a dump of them spans dozens of datagrams, most of them read ahead. */
const ROUTES = 20_000;
/** Routes added and deleted during the dumps: twice as many events. */
const EVENT_ROUTES = 10_000;

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!canUseKernel)('receiving while the libuv threadpool is saturated', () => {
  let dir: string | undefined;
  let ns: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-pool-'));
    buildPrivatePackage(dir, [FIXTURE]);
    ns = await createNetns('pool');
    ipBatch(
      ns,
      Array.from({ length: ROUTES }, (_, i) => `route add blackhole 10.77.${i >> 8}.${i & 255}/32 table 177`),
    );
  }, 60_000);

  afterAll(async () => {
    await removeNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the fixture to its end with a pool of four threads (killed if it hangs, so it never outlives the test). */
  function runFixture(mode: 'pbkdf2' | 'blocked'): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(dir!, FIXTURE), mode, ns!, String(ROUTES), String(EVENT_ROUTES)], {
        env: { ...process.env, UV_THREADPOOL_SIZE: '4' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 110_000,
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

  it.each([
    ['four pbkdf2 jobs run without a pause', 'pbkdf2'],
    ['four opens of a FIFO without a writer block them', 'blocked'],
  ] as const)(
    `completes ${ROUTES}-route dumps and loses none of ${2 * EVENT_ROUTES} route events while %s`,
    async (_what, mode) => {
      const outcome = await runFixture(mode);
      expect({ code: outcome.code, signal: outcome.signal, stderr: outcome.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      const result = JSON.parse(outcome.stdout) as { completeDumps: number; incompleteDumps: number[]; events: number; overruns: number; poolWasTaken: boolean };
      expect(result.completeDumps).toBeGreaterThanOrEqual(2);
      expect(result).toEqual({ mode, completeDumps: result.completeDumps, incompleteDumps: [], events: 2 * EVENT_ROUTES, overruns: 0, poolWasTaken: true });
    },
    120_000,
  );
});
