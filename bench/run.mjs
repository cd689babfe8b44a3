#!/usr/bin/env node
// nlkit benchmarks (`npm run bench`; never part of `npm test`). Needs root.
//
// Everything is measured in this one run and reported as ratios against the
// references measured alongside it, because the machines are shared and noisy:
//   - a C program that only recv()s the same route dump (bench/c/recv_dump.c),
//   - a C program that walks every attribute of it with libmnl
//     (bench/c/mnl_walk.c; skipped, and said so, without libmnl-dev),
//   - iproute2's `ip -j route show` as a whole process.
// It also times dumps and counts route events while the libuv threadpool is
// saturated (bench/threadpool.mjs).
// Results go to stdout as a table and to bench/out/results.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import { threadpoolBench } from './threadpool.mjs';
import { batchBench } from './batch.mjs';
import {
  AF_INET,
  AttributeReader,
  MessageWriter,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NetlinkSocket,
  Protocol,
  RTMSG_SIZE,
  RTM_GETROUTE,
  RTA_DST,
  RTA_TABLE,
  netns,
  parseMessages,
} from '../dist/index.js';
import { family as rtRoute } from '../dist/families/generated/rt-route.js';
import { RouteClient } from '../dist/index.js';
import { family as rtLink } from '../dist/families/generated/rt-link.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, 'out');
const ROUTES = Number(process.env.NLKIT_BENCH_ROUTES ?? 100_000);
const REPEATS = Number(process.env.NLKIT_BENCH_REPEATS ?? 15);
const ROUNDS = Number(process.env.NLKIT_BENCH_ROUNDS ?? 5);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function routeDumpRequest() {
  const w = new MessageWriter();
  w.beginMessage(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
  const at = w.reserve(RTMSG_SIZE);
  w.setU8(at, AF_INET);
  return w.endMessage().finishCopy();
}

function setupNamespace() {
  const name = `nlkit-bench-${process.pid}`;
  return netns.create(name).then(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-bench-'));
    const file = path.join(dir, 'routes');
    const lines = ['link set lo up'];
    for (let i = 0; i < ROUTES; i++) lines.push(`route add blackhole 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`);
    writeFileSync(file, lines.join('\n') + '\n');
    execFileSync('ip', ['-n', name, '-batch', file]);
    rmSync(dir, { recursive: true, force: true });
    return name;
  });
}

function buildBaseline() {
  mkdirSync(outDir, { recursive: true });
  const bin = path.join(outDir, 'recv_dump');
  execFileSync('cc', ['-O2', '-o', bin, path.join(here, 'c', 'recv_dump.c')]);
  return bin;
}

/** The libmnl reference, or the reason it could not be built. */
function buildMnlWalk() {
  const bin = path.join(outDir, 'mnl_walk');
  const r = spawnSync('cc', ['-O2', '-o', bin, path.join(here, 'c', 'mnl_walk.c'), '-lmnl'], { encoding: 'utf8' });
  if (r.status === 0) return { bin };
  return { skipped: `bench/c/mnl_walk.c did not build (libmnl-dev missing? apt-get install libmnl-dev): ${(r.stderr || r.error?.message || '').split('\n')[0]}` };
}

/** Walk every header and attribute of a dump: batches of messages, one reused attribute reader. */
async function dumpAndWalk(sock, request) {
  let messages = 0;
  let attrs = 0;
  let sum = 0;
  const r = new AttributeReader(EMPTY);
  for await (const batch of sock.dump(request).batches()) {
    for (let i = 0; i < batch.length; i++) {
      const msg = batch[i];
      messages++;
      msg.attributes(RTMSG_SIZE, '', r);
      while (r.next()) {
        attrs++;
        sum += r.type + r.dataLength;
      }
    }
  }
  return { messages, attrs, sum };
}
const EMPTY = new Uint8Array(0);

/** Walk every message header of a dump (type and length), no attribute. */
async function dumpAndWalkHeaders(sock, request) {
  let messages = 0;
  let sum = 0;
  for await (const batch of sock.dump(request).batches()) {
    for (let i = 0; i < batch.length; i++) {
      const msg = batch[i];
      messages++;
      sum += msg.type + msg.length;
    }
  }
  return { messages, sum };
}

/** Decode every route of a dump into an object with the generated rt-route codec. */
async function dumpAndDecode(sock, request, decode) {
  let messages = 0;
  let check = 0;
  for await (const batch of sock.dump(request).batches()) {
    for (let i = 0; i < batch.length; i++) {
      const obj = decode(batch[i]);
      messages++;
      if (obj.dst !== undefined || obj.ifname !== undefined) check++;
    }
  }
  return { messages, check };
}

function linkDumpRequest() {
  const w = new MessageWriter();
  w.beginMessage(18, NLM_F_REQUEST | NLM_F_DUMP);
  w.reserve(16);
  return w.endMessage().finishCopy();
}

/** The same walk with one `for await` step per message and a reader per message (the simplest code). */
async function dumpAndWalkPerMessage(sock, request) {
  let messages = 0;
  let attrs = 0;
  let sum = 0;
  for await (const msg of sock.dump(request)) {
    messages++;
    const r = msg.attributes(RTMSG_SIZE);
    while (r.next()) {
      attrs++;
      sum += r.type + r.dataLength;
    }
  }
  return { messages, attrs, sum };
}

/**
 * The language's floor for the per-message loop: `for await` over an
 * iterator whose next() hands out already-made values exactly as
 * DumpIterator's fast path does (Promise.resolve of a fresh result), with no
 * I/O and no decoding. What a per-message async iterator costs on top of
 * walking the same values synchronously, whatever the library does.
 */
function makeFloorIterator(values) {
  let i = 0;
  const it = {
    next: () => (i < values.length ? Promise.resolve({ value: values[i++], done: false }) : Promise.resolve({ value: undefined, done: true })),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
async function asyncIteratorFloor(values) {
  let n = 0;
  for await (const v of makeFloorIterator(values)) n += v.length;
  return n;
}
function syncFloor(values) {
  let n = 0;
  for (const v of values) n += v.length;
  return n;
}

async function timeIt(fn, repeats) {
  const times = [];
  let last;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { medianMs: median(times), minMs: Math.min(...times), last };
}

function timeProcess(cmd, args, repeats) {
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { medianMs: median(times), minMs: Math.min(...times) };
}

/** getlink dump of 1 000 veth links (500 pairs): bare walk vs decoding with the generated rt-link codec. */
async function linkBench(routeNs) {
  const ns = `${routeNs}-links`;
  await netns.create(ns);
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-bench-'));
    const file = path.join(dir, 'links');
    const lines = [];
    for (let i = 0; i < 500; i++) lines.push(`link add bl${i} type veth peer name br${i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    execFileSync('ip', ['-n', ns, '-batch', file]);
    rmSync(dir, { recursive: true, force: true });
    const sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const request = linkDumpRequest();
    const decodeLink = (m) => rtLink.ops.getlink.dump.decodeReply(m);
    const walk = async () => {
      let n = 0;
      const r = new AttributeReader(EMPTY);
      for await (const batch of sock.dump(request).batches()) {
        for (const msg of batch) {
          n++;
          msg.attributes(16, '', r);
          while (r.next()) n += 0;
        }
      }
      return n;
    };
    for (let i = 0; i < 20; i++) {
      await walk();
      await dumpAndDecode(sock, request, decodeLink);
    }
    const w = [];
    const d = [];
    for (let round = 0; round < 3; round++) {
      w.push(await timeIt(walk, REPEATS * 2));
      d.push(await timeIt(() => dumpAndDecode(sock, request, decodeLink), REPEATS * 2));
    }
    const links = d[0].last.messages;
    sock.close();
    const ipRun = timeProcess('ip', ['-n', ns, '-j', '-d', 'link', 'show'], 5);
    return {
      links,
      bareWalkMs: median(w.map((x) => x.medianMs)),
      decodeMs: median(d.map((x) => x.medianMs)),
      ratioToBareWalk: median(d.map((x) => x.medianMs)) / median(w.map((x) => x.medianMs)),
      ipJsonDetailsMs: ipRun.medianMs,
    };
  } finally {
    await netns.remove(ns).catch(() => {});
  }
}

/**
 * The typed route list and the `nlkit` command against `ip -j route show`
 * (main table, whole processes for the commands), and peak memory of
 * streaming a million routes.
 */
async function cliBench(ns) {
  const main = path.join(here, '..', 'dist', 'cli', 'main.js');
  const rounds = Math.max(5, Math.floor(REPEATS / 2));
  const nlkitCmd = [];
  const ipCmd = [];
  // Node's own share: an empty ESM process, and a minimal script that only
  // dumps the routes and writes their JSON (bench/floor/route-json.mjs).
  const emptyNode = [];
  const floorCmd = [];
  const floor = path.join(here, 'floor', 'route-json.mjs');
  // The command's phases as processes, each including the ones before (bench/floor/cli-phase.mjs).
  const phaseScript = path.join(here, 'floor', 'cli-phase.mjs');
  const phases = { load: [], dump: [], decode: [] };
  for (let i = 0; i < 3; i++) {
    for (const ph of Object.keys(phases)) phases[ph].push(timeProcess(process.execPath, [phaseScript, ph, ns], rounds).medianMs);
    nlkitCmd.push(timeProcess(process.execPath, [main, '-n', ns, '-j', 'route', 'show'], rounds).medianMs);
    ipCmd.push(timeProcess('ip', ['-n', ns, '-j', 'route', 'show'], rounds).medianMs);
    emptyNode.push(timeProcess(process.execPath, ['--input-type=module', '-e', ''], rounds).medianMs);
    floorCmd.push(timeProcess(process.execPath, [floor, ns], rounds).medianMs);
  }
  const rt = await RouteClient.open({ netns: ns });
  // The typed list three ways: as an array (listAll), a datagram of routes at a
  // time (batches), and one route per `for await` step (list).
  const listAll = async () => {
    let n = 0;
    for (const r of await rt.routes.listAll({ table: 'main' })) if (r.dst !== undefined) n++;
    return n;
  };
  const listBatches = async () => {
    let n = 0;
    for await (const batch of rt.routes.batches({ table: 'main' })) for (const r of batch) if (r.dst !== undefined) n++;
    return n;
  };
  const listEach = async () => {
    let n = 0;
    for await (const r of rt.routes.list({ table: 'main' })) if (r.dst !== undefined) n++;
    return n;
  };
  for (let i = 0; i < 3; i++) {
    await listAll();
    await listBatches();
    await listEach();
  }
  const all = [];
  const batches = [];
  const each = [];
  const ipRounds = [];
  for (let round = 0; round < 3; round++) {
    all.push((await timeIt(listAll, REPEATS)).medianMs);
    batches.push((await timeIt(listBatches, REPEATS)).medianMs);
    each.push((await timeIt(listEach, REPEATS)).medianMs);
    ipRounds.push(timeProcess('ip', ['-n', ns, '-j', 'route', 'show'], rounds).medianMs);
  }
  rt.close();
  const routes = await (async () => {
    const c = await RouteClient.open({ netns: ns });
    try {
      return (await c.routes.listAll({ table: 'main' })).length;
    } finally {
      c.close();
    }
  })();
  const ipMs = median(ipRounds);
  const out = {
    routes,
    nlkitJsonProcessMs: median(nlkitCmd),
    ipJsonProcessMs: median(ipCmd),
    processRatio: median(nlkitCmd) / median(ipCmd),
    emptyNodeProcessMs: median(emptyNode),
    floorScriptProcessMs: median(floorCmd),
    floorRatio: median(floorCmd) / median(ipCmd),
    // Start-up, then what each phase adds: loading the modules, the dump, tabulating attributes, printing.
    breakdownMs: {
      startup: median(emptyNode),
      load: median(phases.load) - median(emptyNode),
      dump: median(phases.dump) - median(phases.load),
      decode: median(phases.decode) - median(phases.dump),
      print: median(nlkitCmd) - median(phases.decode),
    },
    typedListAllMs: median(all),
    typedListAllNsPerRoute: (median(all) * 1e6) / routes,
    typedBatchesNsPerRoute: (median(batches) * 1e6) / routes,
    typedListEachNsPerRoute: (median(each) * 1e6) / routes,
    ipNsPerRoute: (ipMs * 1e6) / routes,
    ipPerRouteOverTypedListAll: ipMs / median(all),
    ipPerRouteOverTypedListEach: ipMs / median(each),
  };
  if (process.env.NLKIT_BENCH_MILLION !== '0') out.million = await millionRoutes(ns);
  return out;
}

/** Peak RSS of a process that streams 1 000 000 routes with the typed client. */
async function millionRoutes(baseNs) {
  const ns = `${baseNs}-m`;
  await netns.create(ns);
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'nlkit-bench-'));
    const file = path.join(dir, 'routes');
    const lines = [];
    for (let i = 0; i < 1_000_000; i++) lines.push(`route add blackhole 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 table 200`);
    writeFileSync(file, lines.join('\n') + '\n');
    execFileSync('ip', ['-n', ns, '-batch', file]);
    rmSync(dir, { recursive: true, force: true });
    const script = `
      import { RouteClient } from ${JSON.stringify(path.join(here, '..', 'dist', 'index.js'))};
      const rt = await RouteClient.open({ netns: ${JSON.stringify(ns)} });
      let n = 0;
      for await (const r of rt.routes.list({ table: 200 })) n++;
      rt.close();
      console.log(JSON.stringify({ routes: n, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
    `;
    const t0 = process.hrtime.bigint();
    const res = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
    res.ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return res;
  } finally {
    await netns.remove(ns).catch(() => {});
  }
}

function microBenchmarks(sample) {
  // sample: the messages of one real route dump datagram sequence, copied into one buffer.
  const results = {};
  const suite = new Benchmark.Suite();
  const msgs = parseMessages(sample);
  const attrCount = msgs.reduce((n, m) => {
    const r = m.attributes(RTMSG_SIZE);
    while (r.next()) n++;
    return n;
  }, 0);
  suite.add('parse+walk', () => {
    let s = 0;
    for (const m of parseMessages(sample)) {
      const r = m.attributes(RTMSG_SIZE);
      while (r.next()) s += r.dataLength;
    }
    return s;
  });
  const w = new MessageWriter(1 << 16);
  suite.add('writer: route message', () => {
    w.reset();
    w.beginMessage(24, NLM_F_REQUEST);
    const at = w.reserve(RTMSG_SIZE);
    w.setU8(at, AF_INET).setU8(at + 1, 32);
    w.putU32(RTA_TABLE, 254);
    w.putBinary(RTA_DST, DST);
    w.putU32(6, 10);
    const n = w.nestStart(8);
    w.putU32(2, 1400);
    w.nestEnd(n);
    w.endMessage();
    return w.finish().length;
  });
  suite.on('cycle', (ev) => {
    const t = ev.target;
    results[t.name] = { hz: t.hz, rme: t.stats.rme };
  });
  suite.run({ async: false });
  return { results, messages: msgs.length, attributes: attrCount, bytes: sample.length };
}
const DST = new Uint8Array([10, 1, 2, 3]);

async function main() {
  if (process.getuid?.() !== 0) {
    console.error('bench: needs root (it creates a network namespace)');
    process.exit(1);
  }
  const bin = buildBaseline();
  const mnl = buildMnlWalk();
  if (mnl.skipped) console.error(`bench: libmnl reference skipped: ${mnl.skipped}`);
  console.error(`bench: creating a namespace with ${ROUTES} routes ...`);
  const ns = await setupNamespace();
  const results = { routes: ROUTES, repeats: REPEATS, date: new Date().toISOString() };
  try {
    const sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
    const request = routeDumpRequest();
    // Warm up the JIT and the kernel's caches.
    for (let i = 0; i < 5; i++) {
      await dumpAndWalk(sock, request);
      await dumpAndWalkHeaders(sock, request);
      await dumpAndWalkPerMessage(sock, request);
    }

    // Interleave the runs so that machine noise hits all of them alike.
    const c = [];
    const cMnl = [];
    const headers = [];
    const js = [];
    const jsSimple = [];
    // As many small objects as the dump has messages, for the iterator floor.
    const floorValues = Array.from({ length: ROUTES + 1 }, (_, i) => ({ length: i & 7 }));
    for (let i = 0; i < 3; i++) await asyncIteratorFloor(floorValues);
    const floorAsync = [];
    const floorSync = [];
    for (let round = 0; round < ROUNDS; round++) {
      c.push(JSON.parse(execFileSync(bin, [ns, String(REPEATS)], { encoding: 'utf8' })));
      if (mnl.bin) cMnl.push(JSON.parse(execFileSync(mnl.bin, [ns, String(REPEATS)], { encoding: 'utf8' })));
      headers.push(await timeIt(() => dumpAndWalkHeaders(sock, request), REPEATS));
      js.push(await timeIt(() => dumpAndWalk(sock, request), REPEATS));
      jsSimple.push(await timeIt(() => dumpAndWalkPerMessage(sock, request), REPEATS));
      floorAsync.push(await timeIt(() => asyncIteratorFloor(floorValues), REPEATS));
      floorSync.push(await timeIt(async () => syncFloor(floorValues), REPEATS));
    }
    const cMedian = median(c.map((x) => x.medianMs));
    const jsMedian = median(js.map((x) => x.medianMs));
    const headersMedian = median(headers.map((x) => x.medianMs));
    // Best runs: the least disturbed by other work on a shared machine.
    const cMin = Math.min(...c.map((x) => x.minMs));
    const jsMin = Math.min(...js.map((x) => x.minMs));
    const jsSimpleMedian = median(jsSimple.map((x) => x.medianMs));
    const walked = js[0].last;
    if (walked.messages !== c[0].messages) throw new Error(`message counts differ: nlkit ${walked.messages}, C ${c[0].messages}`);
    if (mnl.bin && (cMnl[0].messages !== walked.messages || cMnl[0].attributes !== walked.attrs || cMnl[0].sum !== walked.sum)) {
      throw new Error(`walks differ: nlkit ${JSON.stringify(walked)}, libmnl ${JSON.stringify(cMnl[0])}`);
    }
    const mnlMedian = mnl.bin ? median(cMnl.map((x) => x.medianMs)) : undefined;

    // Spec engine: the same dump decoded into objects by the generated rt-route codec.
    const decodeRoute = (m) => rtRoute.ops.getroute.dump.decodeReply(m);
    for (let i = 0; i < 3; i++) await dumpAndDecode(sock, request, decodeRoute);
    const decoded = [];
    const bare = [];
    for (let round = 0; round < 3; round++) {
      bare.push(await timeIt(() => dumpAndWalk(sock, request), REPEATS));
      decoded.push(await timeIt(() => dumpAndDecode(sock, request, decodeRoute), REPEATS));
    }
    const bareMedian = median(bare.map((x) => x.medianMs));
    const decodedMedian = median(decoded.map((x) => x.medianMs));
    const routesDecoded = decoded[0].last;
    if (routesDecoded.check !== routesDecoded.messages) throw new Error('decoded routes without dst');

    const ipRun = timeProcess('ip', ['-n', ns, '-j', 'route', 'show'], Math.max(5, Math.floor(REPEATS / 2)));
    results.dump = {
      messages: walked.messages,
      attributes: walked.attrs,
      cRecvMs: cMedian,
      nlkitHeaderWalkMs: headersMedian,
      headerWalkRatioToC: headersMedian / cMedian,
      nlkitDumpWalkMs: jsMedian,
      ratioToC: jsMedian / cMedian,
      ...(mnl.bin ? { cMnlWalkMs: mnlMedian, walkRatioToMnl: jsMedian / mnlMedian } : { cMnlWalkSkipped: mnl.skipped }),
      cRecvMinMs: cMin,
      nlkitDumpWalkMinMs: jsMin,
      minRatioToC: jsMin / cMin,
      nlkitPerMessageIteratorMs: jsSimpleMedian,
      perMessageIteratorRatioToC: jsSimpleMedian / cMedian,
      perMessageIteratorRatioToBatches: jsSimpleMedian / jsMedian,
      asyncIteratorFloorMs: median(floorAsync.map((x) => x.medianMs)) - median(floorSync.map((x) => x.medianMs)),
      perMessageIteratorCostMs: jsSimpleMedian - jsMedian,
      ipJsonRouteShowMs: ipRun.medianMs,
      ratioIpToNlkit: ipRun.medianMs / jsMedian,
      nlkitNsPerRoute: (jsMedian * 1e6) / walked.messages,
      ipNsPerRoute: (ipRun.medianMs * 1e6) / walked.messages,
    };
    results.decode = {
      routes: routesDecoded.messages,
      bareWalkMs: bareMedian,
      decodeMs: decodedMedian,
      ratioToBareWalk: decodedMedian / bareMedian,
      nsPerRoute: (decodedMedian * 1e6) / routesDecoded.messages,
      ipNsPerRoute: (ipRun.medianMs * 1e6) / walked.messages,
    };

    // A real dump's bytes for the codec micro-benchmarks (first 2 000 messages).
    const msgs = await sock.dumpAll(request);
    const first = msgs.slice(0, 2000);
    const total = first.reduce((n, m) => n + ((m.length + 3) & ~3), 0);
    const sample = new Uint8Array(total);
    let off = 0;
    for (const m of first) {
      sample.set(m.bytes, off);
      off += (m.length + 3) & ~3;
    }
    results.threadpool = await threadpoolBench({ sock, request, ns, cBin: bin, walk: dumpAndWalk, timeIt, median, repeats: REPEATS });
    sock.close();
    results.micro = microBenchmarks(sample);
    results.cli = await cliBench(ns);
    results.links = await linkBench(ns);
    results.batch = batchBench();
  } finally {
    await netns.remove(ns).catch(() => {});
  }

  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const d = results.dump;
  const m = results.micro;
  const line = (a, b) => console.log(`| ${a} | ${b} |`);
  console.log(`\nnlkit bench, ${d.messages} IPv4 routes, median of ${REPEATS} runs x ${ROUNDS} interleaved rounds\n`);
  console.log('| measurement | result |');
  console.log('| --- | --- |');
  line('C recv-only dump (baseline)', `${d.cRecvMs.toFixed(2)} ms`);
  line('nlkit dump + walk of every message header (`dump().batches()`)', `${d.nlkitHeaderWalkMs.toFixed(2)} ms (${d.headerWalkRatioToC.toFixed(2)}x C recv-only)`);
  line(
    'nlkit dump + walk of every header and attribute (`dump().batches()`, reused reader)',
    `${d.nlkitDumpWalkMs.toFixed(2)} ms (${d.ratioToC.toFixed(2)}x C recv-only; best runs ${d.nlkitDumpWalkMinMs.toFixed(2)} / ${d.cRecvMinMs.toFixed(2)} ms = ${d.minRatioToC.toFixed(2)}x)`,
  );
  if (d.cMnlWalkMs !== undefined)
    line('C dump + the same walk with libmnl (mnl_cb_run + mnl_attr_parse)', `${d.cMnlWalkMs.toFixed(2)} ms (nlkit's walk ${d.walkRatioToMnl.toFixed(2)}x)`);
  else line('C dump + the same walk with libmnl', `skipped: ${d.cMnlWalkSkipped}`);
  line(
    'nlkit dump + walk, one `for await` per message',
    `${d.nlkitPerMessageIteratorMs.toFixed(2)} ms (${d.perMessageIteratorRatioToBatches.toFixed(2)}x the \`batches()\` walk, ${d.perMessageIteratorRatioToC.toFixed(2)}x C)`,
  );
  line(
    'the language floor of that loop: `for await` over as many ready values, less a plain `for` over them',
    `${d.asyncIteratorFloorMs.toFixed(2)} ms; nlkit's per-message loop costs ${d.perMessageIteratorCostMs.toFixed(2)} ms over \`batches()\` (floor + ${(d.perMessageIteratorCostMs - d.asyncIteratorFloorMs).toFixed(2)} ms)`,
  );
  line('`ip -j route show` (whole process)', `${d.ipJsonRouteShowMs.toFixed(2)} ms (${d.ratioIpToNlkit.toFixed(1)}x nlkit)`);
  line('per route: nlkit / ip -j', `${d.nlkitNsPerRoute.toFixed(0)} ns / ${d.ipNsPerRoute.toFixed(0)} ns`);
  line(
    `codec: parse + walk (${m.messages} msgs, ${m.attributes} attrs)`,
    `${(1e9 / m.results['parse+walk'].hz / m.attributes).toFixed(1)} ns/attribute, ${(1e9 / m.results['parse+walk'].hz / m.messages).toFixed(0)} ns/message`,
  );
  line('codec: writer, one route message (5 attrs + nest)', `${(1e9 / m.results['writer: route message'].hz).toFixed(0)} ns/message`);
  const dec = results.decode;
  line('rt-route dump decoded into objects (generated codec)', `${dec.decodeMs.toFixed(2)} ms (${dec.ratioToBareWalk.toFixed(2)}x the bare walk, ${dec.bareWalkMs.toFixed(2)} ms)`);
  line('per route: decoded object / ip -j', `${dec.nsPerRoute.toFixed(0)} ns / ${dec.ipNsPerRoute.toFixed(0)} ns`);
  const cl = results.cli;
  line(
    `\`nlkit -j route show\` vs \`ip -j route show\` (${cl.routes} routes, whole processes)`,
    `${cl.nlkitJsonProcessMs.toFixed(1)} ms / ${cl.ipJsonProcessMs.toFixed(1)} ms (${cl.processRatio.toFixed(2)}x)`,
  );
  line(
    'Node alone: an empty process / a minimal route-JSON script (bench/floor)',
    `${cl.emptyNodeProcessMs.toFixed(1)} ms / ${cl.floorScriptProcessMs.toFixed(1)} ms (${cl.floorRatio.toFixed(2)}x ip)`,
  );
  const b = cl.breakdownMs;
  line(
    '`nlkit -j route show` by phase (processes: each phase less the one before)',
    `start-up ${b.startup.toFixed(1)} ms, module load ${b.load.toFixed(1)} ms, dump ${b.dump.toFixed(1)} ms, attribute tables ${b.decode.toFixed(1)} ms, printing ${b.print.toFixed(1)} ms`,
  );
  line(
    'typed route list as an array (`rt.routes.listAll()`), per route / `ip -j` per route',
    `${cl.typedListAllNsPerRoute.toFixed(0)} ns / ${cl.ipNsPerRoute.toFixed(0)} ns (${cl.ipPerRouteOverTypedListAll.toFixed(2)}x faster)`,
  );
  line('typed route list by datagram (`rt.routes.batches()`), per route', `${cl.typedBatchesNsPerRoute.toFixed(0)} ns`);
  line(
    'typed route list, one `for await` per route (`rt.routes.list()`), per route',
    `${cl.typedListEachNsPerRoute.toFixed(0)} ns (${cl.ipPerRouteOverTypedListEach.toFixed(2)}x faster than ip -j)`,
  );
  if (cl.million)
    line(`streaming ${cl.million.routes} routes with the typed client`, `peak RSS ${cl.million.maxRssMB.toFixed(0)} MB, ${(cl.million.ms / 1000).toFixed(1)} s as a process`);
  const tp = results.threadpool;
  line(
    'dump + walk with the libuv threadpool blocked (4 opens of a FIFO, no CPU used)',
    `${tp.blocked.walkMs.toFixed(2)} ms (${tp.blocked.ratioToFree.toFixed(2)}x with the pool free, ${tp.free.walkMs.toFixed(2)} ms); route events: ${tp.blocked.events.received} of ${tp.blocked.events.expected}, ${tp.blocked.events.overruns} overruns`,
  );
  line(
    `dump + walk while 4 pbkdf2 jobs keep the threadpool busy (${tp.busy.cpus} CPUs)`,
    `${tp.busy.walkMs.toFixed(2)} ms (${tp.busy.ratioToFree.toFixed(2)}x free; C recv-only under the same load ${tp.busy.cRecvMs.toFixed(2)} ms, ${tp.busy.cRatioToFree.toFixed(2)}x its own free run: nlkit/C ${tp.busy.ratioToC.toFixed(2)} busy, ${tp.free.ratioToC.toFixed(2)} free); route events: ${tp.busy.events.received} of ${tp.busy.events.expected}, ${tp.busy.events.overruns} overruns`,
  );
  const l = results.links;
  line(
    `rt-link getlink dump of ${l.links} links decoded`,
    `${l.decodeMs.toFixed(2)} ms (${l.ratioToBareWalk.toFixed(2)}x the bare walk, ${l.bareWalkMs.toFixed(2)} ms; \`ip -j -d link show\` ${l.ipJsonDetailsMs.toFixed(1)} ms)`,
  );
  line(
    `\`nlkit -batch\` vs \`ip -batch\`, ${results.batch.routes} route adds (bench/batch.mjs)`,
    `${results.batch.nlkitMs.toFixed(0)} ms / ${results.batch.ipMs.toFixed(0)} ms (${results.batch.ratio.toFixed(2)}x; target 1.5x)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
