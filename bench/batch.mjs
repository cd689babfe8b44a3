#!/usr/bin/env node
// `nlkit -batch FILE` against `ip -batch FILE` (iproute2), both as whole
// processes, timed in the same run: a file of route adds (100 000 unless
// NLKIT_BENCH_BATCH_ROUTES says otherwise) run in a fresh namespace for each
// tool and each round; the rounds alternate the tools and the median of each
// is compared. The two namespaces must end with the same routes. Needs root
// and a built dist/ (`npm run compile`). Run by hand (`node bench/batch.mjs`)
// or from bench/run.mjs (batchBench()).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nlkitMain = path.join(here, '..', 'dist', 'cli', 'main.js');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A batch file of `count` route adds: /32s through a veth, spread over a /8. */
function routeFile(dir, count) {
  const lines = [];
  for (let i = 0; i < count; i++) lines.push(`route add 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 dev v0`);
  const file = path.join(dir, 'routes.batch');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function freshNamespace(name) {
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  execFileSync('ip', ['-n', name, 'link', 'set', 'v0', 'up']);
  execFileSync('ip', ['-n', name, 'link', 'set', 'v1', 'up']);
}

function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(0, 400)}`);
  return ms;
}

function routes(ns) {
  return execFileSync('ip', ['-n', ns, '-4', 'route', 'show'], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Runs the comparison; resolves with { routes, rounds, nlkitMs, ipMs, ratio }. */
export function batchBench({ count = Number(process.env.NLKIT_BENCH_BATCH_ROUTES ?? 100_000), rounds = Number(process.env.NLKIT_BENCH_BATCH_ROUNDS ?? 3) } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-bench-batch-'));
  const file = routeFile(dir, count);
  const nl = [];
  const ref = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const a = `nlkit-bb-n-${process.pid}-${r}`;
      const b = `nlkit-bb-i-${process.pid}-${r}`;
      try {
        freshNamespace(a);
        freshNamespace(b);
        // Alternate which tool goes first, so neither always meets a warmer kernel.
        const runNlkit = () => nl.push(timed(process.execPath, [nlkitMain, '-n', a, '-batch', file]));
        const runIp = () => ref.push(timed('ip', ['-n', b, '-batch', file]));
        if (r % 2 === 0) {
          runNlkit();
          runIp();
        } else {
          runIp();
          runNlkit();
        }
        if (r === 0 && routes(a) !== routes(b)) throw new Error('nlkit -batch and ip -batch left different routes');
      } finally {
        spawnSync('ip', ['netns', 'del', a]);
        spawnSync('ip', ['netns', 'del', b]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const nlkitMs = median(nl);
  const ipMs = median(ref);
  return { routes: count, rounds, nlkitMs, ipMs, ratio: nlkitMs / ipMs };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = batchBench();
  console.log(
    `batch: ${r.routes} route adds, median of ${r.rounds}: nlkit -batch ${r.nlkitMs.toFixed(0)} ms, ip -batch ${r.ipMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}x (target <= 1.5x)`,
  );
}
