// Dumps and route events while the libuv threadpool is saturated, for
// bench/run.mjs. nlkit's read-ahead runs on a thread of the addon's own, so a
// pool kept busy by fs, DNS, zlib or crypto work must not stall a dump nor
// cost an event. Three phases, each with the same dump walk and the same
// burst of route events (added, then deleted, by `ip -batch` in the bench
// namespace while a dump runs beside it):
//   free:    nothing else in the pool;
//   blocked: every pool thread waits in open() of a FIFO that has no writer
//            (the pool is full but uses no CPU: only a dependence on the pool
//            can show here);
//   busy:    one pbkdf2 per pool thread, started again as soon as it ends (the
//            pool is full and so are the CPUs: on a machine with fewer cores
//            than pool threads + 2 every thread gets a share of them, so the
//            C recv-only baseline is timed under the same load for reference).
import { execFile, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { closeSync, constants, mkdtempSync, open, openSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { NetlinkSocket, Protocol, RTNLGRP_IPV4_ROUTE, isOverrun } from '../dist/index.js';

const POOL = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
const EVENT_ROUTES = Number(process.env.NLKIT_BENCH_EVENT_ROUTES ?? 20_000);
/** A dump that takes longer than this is stalled (the pool it waits for is never free). */
const STALL_MS = 10_000;

function execFileAsync(file, args) {
  return new Promise((resolve, reject) => execFile(file, args, { encoding: 'utf8', maxBuffer: 1 << 26 }, (err, out) => (err ? reject(err) : resolve(out))));
}

/** Every pool thread blocked in open() of a FIFO; release() lets them go. */
function blockPool() {
  const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-bench-fifo-'));
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const fds = [];
  const opened = [];
  for (let i = 0; i < POOL; i++) opened.push(new Promise((resolve) => open(fifo, 'r', (err, fd) => resolve(err ? undefined : fds.push(fd)))));
  return {
    async release() {
      // A writer's open wakes the readers waiting in open().
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      await Promise.all(opened);
      for (const fd of [writer, ...fds]) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One pbkdf2 per pool thread, each started again when it ends, until stop(). */
function busyPool() {
  let running = true;
  let jobs = 0;
  const spin = () => {
    if (running) crypto.pbkdf2('nlkit', 'bench', 100_000, 32, 'sha256', () => (jobs++, spin()));
  };
  for (let i = 0; i < POOL; i++) spin();
  return {
    stop() {
      running = false;
      return jobs;
    },
  };
}

/**
 * Adds EVENT_ROUTES routes and deletes them again with one `ip -batch` while
 * a subscription counts the events and dumps run on the other socket.
 */
async function eventBurst(ns, sock, request, walk) {
  const events = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
  const expected = 2 * EVENT_ROUTES;
  let received = 0;
  let overruns = 0;
  const abort = new AbortController();
  const sub = events.subscribe(RTNLGRP_IPV4_ROUTE, { signal: abort.signal });
  const counted = (async () => {
    try {
      for await (const item of sub) {
        if (isOverrun(item)) overruns++;
        else if (++received === expected) break;
      }
    } catch (err) {
      if (err?.name !== 'AbortError') throw err;
    }
  })();
  const lines = [];
  for (let i = 0; i < EVENT_ROUTES; i++) lines.push(`route add blackhole 10.250.${i >> 8}.${i & 255}/32 table 300`);
  for (let i = 0; i < EVENT_ROUTES; i++) lines.push(`route del blackhole 10.250.${i >> 8}.${i & 255}/32 table 300`);
  const t0 = process.hrtime.bigint();
  const ip = spawn('ip', ['-n', ns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const ipDone = new Promise((resolve, reject) => {
    ip.on('error', reject);
    ip.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`ip -batch exited with ${code}`))));
  });
  ip.stdin.end(lines.join('\n') + '\n');
  let dumps = 0;
  let finished = false;
  ipDone.finally(() => (finished = true)).catch(() => {});
  while (!finished) {
    await walk(sock, request);
    dumps++;
  }
  const ipMs = await ipDone;
  // Whatever is still in the socket buffer arrives within moments; a lost
  // event never does.
  const timer = setTimeout(() => abort.abort(), 3000);
  await counted;
  clearTimeout(timer);
  const lastEventMs = Number(process.hrtime.bigint() - t0) / 1e6;
  events.close();
  return { expected, received, overruns, dumpsMeanwhile: dumps, ipMs, lastEventMs };
}

async function withStallGuard(promise, onStall) {
  let timer;
  const stalled = new Promise((resolve) => (timer = setTimeout(() => resolve('stalled'), STALL_MS)));
  const result = await Promise.race([promise, stalled]);
  clearTimeout(timer);
  if (result === 'stalled') {
    await onStall();
    await promise;
    return undefined;
  }
  return result;
}

/** Runs the three phases; `walk` is the dump + attribute walk of bench/run.mjs. */
export async function threadpoolBench({ sock, request, ns, cBin, walk, timeIt, median, repeats }) {
  const rounds = 3;
  const cRecv = async () => JSON.parse(await execFileAsync(cBin, [ns, String(repeats)])).medianMs;

  const free = { walk: [], c: [] };
  for (let round = 0; round < rounds; round++) {
    free.c.push(await cRecv());
    free.walk.push((await timeIt(() => walk(sock, request), repeats)).medianMs);
  }
  const freeEvents = await eventBurst(ns, sock, request, walk);

  const pool = blockPool();
  const blockedWalk = [];
  let blockedEvents;
  const blockedRun = (async () => {
    for (let round = 0; round < rounds; round++) blockedWalk.push((await timeIt(() => walk(sock, request), repeats)).medianMs);
    blockedEvents = await eventBurst(ns, sock, request, walk);
    return true;
  })();
  const notStalled = await withStallGuard(blockedRun, () => pool.release());
  if (notStalled) await pool.release();

  const busy = { walk: [], c: [] };
  const load = busyPool();
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let round = 0; round < rounds; round++) {
    busy.c.push(await cRecv());
    busy.walk.push((await timeIt(() => walk(sock, request), repeats)).medianMs);
  }
  const busyEvents = await eventBurst(ns, sock, request, walk);
  const pbkdf2Jobs = load.stop();

  const freeWalk = median(free.walk);
  const freeC = median(free.c);
  const busyWalk = median(busy.walk);
  const busyC = median(busy.c);
  return {
    poolSize: POOL,
    free: { walkMs: freeWalk, cRecvMs: freeC, ratioToC: freeWalk / freeC, events: freeEvents },
    blocked: notStalled
      ? { walkMs: median(blockedWalk), ratioToFree: median(blockedWalk) / freeWalk, events: blockedEvents }
      : { stalled: true, walkMs: STALL_MS, ratioToFree: STALL_MS / freeWalk, events: { expected: 2 * EVENT_ROUTES, received: 0, overruns: 0 } },
    busy: {
      cpus: availableParallelism(),
      pbkdf2Jobs,
      walkMs: busyWalk,
      ratioToFree: busyWalk / freeWalk,
      cRecvMs: busyC,
      cRatioToFree: busyC / freeC,
      ratioToC: busyWalk / busyC,
      events: busyEvents,
    },
  };
}
