#!/usr/bin/env node
// Cold start of `import 'nlkit'` (dist/index.js), next to an empty Node start
// measured in the same loop (alternating, so both see the same machine load).
// Needs `npm run compile` first; not part of `npm test`.
//
//   node bench/import.mjs [RUNS] [MODULE ...]
//
// Each run is a fresh process: `node --input-type=module -e "await import(M)"`.
// Prints the median wall time of each and the difference (what the import
// costs), and the median time of the import() itself as measured inside the
// process (less noisy on a busy machine: Node's own start is left out).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);
const modules = process.argv.length > 3 ? process.argv.slice(3) : [path.join(root, 'dist/index.js')];

function time(code) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node exited with ${r.status} for: ${code}`);
  return [ms, Number(r.stdout) || 0];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const importCode = (m) => `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(m).href)}); process.stdout.write(String(performance.now() - t));`;
const cases = [['empty node', ''], ...modules.map((m) => [path.relative(root, m) || m, importCode(m)])];
const times = cases.map(() => []);
const inside = cases.map(() => []);
if (cases[1]) time(cases[1][1]); // warm the file system cache
for (let i = 0; i < runs; i++) {
  cases.forEach(([, code], j) => {
    const [ms, inner] = time(code);
    times[j].push(ms);
    inside[j].push(inner);
  });
}
const base = median(times[0]);
for (let j = 0; j < cases.length; j++) {
  const m = median(times[j]);
  const extra = j ? `  costs ${(m - base).toFixed(1)} ms; import() itself ${median(inside[j]).toFixed(1)} ms (min ${Math.min(...inside[j]).toFixed(1)})` : '';
  console.log(
    `${cases[j][0].padEnd(36)} process ${m.toFixed(1).padStart(6)} ms (min ${Math.min(...times[j])
      .toFixed(1)
      .padStart(5)})${extra}`,
  );
}
