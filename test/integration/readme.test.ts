// The README's snippets, run as written, so the README cannot rot. Every
// fenced block of README.md is claimed by one of the tests below (a new
// block without a test fails the last one). Shell lines run one by one with
// `sh -c` from the repository, as a newcomer types them (`npx nlkit` is the
// compiled dist/); code blocks run as ES modules that import 'nlkit' from a
// consumer folder, and are type-checked against the package's declarations.
// The namespace names in the snippets ('blue', 'red') are replaced by unique
// ones, which are always deleted. Lines that run until Ctrl-C get an event
// from the test, then SIGINT. Needs root.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netns } from '../../src/index.js';
import { canUseKernel, ip, ipJson, removeNetns, uniqueNetnsName } from '../helpers/kernel.js';

const root = path.resolve(import.meta.dirname, '..', '..');
/** How long one snippet (or one shell line) may take. */
const PATIENCE_MS = 60_000;

interface Block {
  /** Position among the README's fenced blocks. */
  readonly index: number;
  readonly lang: string;
  readonly code: string;
  /** Text of the nearest heading above the block. */
  readonly section: string;
}

/** The fenced blocks of a Markdown text, with the heading each sits under. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = '';
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (open) {
      if (line.startsWith('```')) {
        blocks.push({ index: blocks.length, lang: open.lang, code: open.lines.join('\n') + '\n', section });
        open = undefined;
      } else {
        open.lines.push(line);
      }
    } else if (line.startsWith('```')) {
      open = { lang: line.slice(3).trim(), lines: [] };
    } else if (/^#+ /.test(line)) {
      section = line.replace(/^#+ /, '').trim();
    }
  }
  if (open) throw new Error('README.md has a fenced block that is never closed');
  return blocks;
}

const README = fencedBlocks(readFileSync(path.join(root, 'README.md'), 'utf8'));
const claimed = new Set<number>();

/** The `nth` block of language `lang` under heading `section`; the test that runs it claims it. */
function block(section: string, lang: string, nth = 0): Block {
  const found = README.filter((b) => b.section === section && b.lang === lang)[nth];
  if (!found) throw new Error(`README.md has no ${lang} block number ${nth} under '${section}'`);
  claimed.add(found.index);
  return found;
}

/** The commands of a shell block: one per line, comments and blank lines left out. */
function commands(code: string): string[] {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Replaces whole-word namespace names of the README by the test's own. */
function rename(code: string, names: Record<string, string>): string {
  let out = code;
  for (const [from, to] of Object.entries(names)) out = out.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
  return out;
}

/** Runs one shell line from the repository; fails with its output unless it exits with 0. */
function sh(line: string): string {
  const r = spawnSync('sh', ['-c', line], { cwd: root, encoding: 'utf8', timeout: PATIENCE_MS, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`\`${line}\` exited with ${r.status ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r.stdout;
}

/** A process that runs until it is interrupted, with its output lines as they come. */
class Running {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private ended = false;
  private wake: () => void = () => {};

  constructor(
    readonly what: string,
    readonly child: ReturnType<typeof spawn>,
  ) {
    for (const [stream, lines] of [
      [child.stdout!, this.stdout],
      [child.stderr!, this.stderr],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        this.wake();
      });
    }
    // 'close' comes once every process holding the pipes has let go of them.
    this.closed = new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.ended = true;
        this.wake();
        resolve({ code, signal });
      }),
    );
  }

  /**
   * Resolves once `done()` holds. `poke`, if given, runs first and again each
   * time `everyMs` pass without it (to make an event for a subscriber that may
   * not listen yet). Fails when the process ends first, or after PATIENCE_MS.
   */
  async until(what: string, done: () => boolean, poke?: () => void, everyMs = 250): Promise<void> {
    const deadline = Date.now() + PATIENCE_MS;
    while (!done()) {
      if (this.ended || Date.now() > deadline) {
        throw new Error(`${this.ended ? `${this.what} ended` : 'timed out'} waiting for ${what}\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`);
      }
      poke?.();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, poke ? everyMs : deadline - Date.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Fails with the output unless the process ended with exit status 0. */
  async succeeded(): Promise<void> {
    const end = await this.closed;
    if (end.code !== 0) throw new Error(`${this.what} ended with ${end.code ?? end.signal}\nstdout:\n${this.stdout.join('\n')}\nstderr:\n${this.stderr.join('\n')}`);
  }
}

describe.skipIf(!canUseKernel)('the README, run as written', () => {
  let dir: string;
  let app: string;
  const running: Running[] = [];
  const blue = uniqueNetnsName('readme-blue');
  const red = uniqueNetnsName('readme-red');
  const names = { blue, red };

  const newcomer = block('nlkit', 'sh');
  const quickstart = block('Quickstart', 'sh', 0);
  const fromCode = block('Quickstart', 'ts', 0);
  const awaitUsing = block('Quickstart', 'ts', 1);
  const cleanup = block('Quickstart', 'sh', 1);
  const sockets = block('Sockets, requests, dumps, events', 'ts');
  const families = block('Families from YNL specs', 'ts');
  const ynl = block('`nlkit ynl`', 'sh');
  const typedFamily = block('Families from YNL specs', 'ts', 1);
  const ownFamilies = block('Your own families', 'ts');
  const fakeKernel = block('Testing code that uses nlkit', 'ts');

  beforeAll(() => {
    // `npx nlkit` runs the compiled dist/, so it must be built from the sources under test.
    execFileSync('npm', ['run', 'compile'], { cwd: root, stdio: 'ignore' });
    chmodSync(path.join(root, 'dist', 'cli', 'main.js'), 0o755);
    // A consumer folder: 'nlkit' resolves to this repository as an installed package would.
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-'));
    app = path.join(dir, 'app');
    mkdirSync(path.join(app, 'node_modules'), { recursive: true });
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    symlinkSync(root, path.join(app, 'node_modules', 'nlkit'));
  }, 240_000);

  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await removeNetns(blue);
    await removeNetns(red);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a code block as an ES module in the consumer folder (relative paths in it are the repository's). */
  function startModule(b: Block, source = rename(b.code, names)): Running {
    const file = path.join(app, `block-${b.index}.mjs`);
    writeFileSync(file, source);
    // Killed after PATIENCE_MS, so a hang fails with the output so far rather than the test's timeout.
    const r = new Running(
      `README block ${b.index}`,
      spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
    );
    running.push(r);
    return r;
  }

  /** Starts a shell line that runs until Ctrl-C, in a process group of its own (as a terminal runs it). */
  function startLine(line: string): Running {
    const r = new Running(`\`${line}\``, spawn('sh', ['-c', line], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] }));
    running.push(r);
    return r;
  }

  it(
    'opens with the two commands a newcomer needs: install and run, then the tests',
    () => {
      expect(newcomer.index).toBe(0);
      expect(commands(newcomer.code).map((l) => l.replace(/\s+#.*$/, ''))).toEqual(['npm install && npx nlkit link show', 'npm test']);
      // `npm install` and `npm test` are what this test runs inside; the listing is not.
      expect(sh('npx nlkit link show')).toMatch(/^1: lo: <LOOPBACK/);
    },
    PATIENCE_MS,
  );

  it(
    'runs the quickstart commands, then the same from code, then cleans up',
    async () => {
      const lines = commands(rename(quickstart.code, names));
      const interactive = lines.filter((l) => l.includes('Ctrl-C'));
      expect(interactive).toHaveLength(1);
      const outputs = new Map<string, string>();
      for (const line of lines) if (!interactive.includes(line)) outputs.set(line, sh(line));

      // What the commands say they do, checked with ip.
      const brief = [...outputs].find(([line]) => line.includes(' -br addr'))![1];
      expect(brief).toMatch(/^v0@v1\s+\S+\s+10\.0\.0\.1\/24\s*$/m);
      expect(ip(blue, ['route', 'show', '10.50.0.0/16'])).toMatch(/^10\.50\.0\.0\/16 +encap ip id 5 src 0\.0\.0\.0 dst 10\.9\.9\.9 .*dev v0 /);
      expect(ipJson<{ ifname: string }[]>(blue, ['link', 'show', 'tap0'])).toMatchObject([{ ifname: 'tap0' }]);
      expect(JSON.parse(outputs.get(lines[0]!)!)).toEqual(expect.arrayContaining([expect.objectContaining({ ifname: 'lo' })]));

      // `monitor all` prints a JSON line per event until Ctrl-C.
      const monitor = startLine(interactive[0]!);
      let mtu = 1400;
      const tap0 = (): boolean => monitor.stdout.some((l) => (JSON.parse(l) as { ifname?: string }).ifname === 'tap0');
      await monitor.until('an event of tap0', tap0, () => ip(blue, ['link', 'set', 'tap0', 'mtu', String(mtu++)]));
      process.kill(-monitor.child.pid!, 'SIGINT');
      // The shell goes with the interrupt, as at a terminal; 'close' waits for nlkit too.
      expect(await monitor.closed).toEqual({ code: null, signal: 'SIGINT' });

      // The code: lists, adds, then monitors until Ctrl-C.
      const code = startModule(fromCode);
      await code.until('the monitor to listen', () => code.stdout.includes('waiting for events; Ctrl-C to stop'));
      expect(code.stdout).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+ v0 (UP|LOWERLAYERDOWN)$/), expect.stringMatching(/^\d+ tap0 DOWN$/)]));
      ip(blue, ['link', 'set', 'v1', 'up']);
      await code.until('the link event', () => code.stdout.some((l) => l.startsWith('new link {')));
      code.child.kill('SIGINT');
      await code.succeeded();
      expect(ip(blue, ['-4', 'addr', 'show', 'dev', 'v0'])).toContain('inet 10.0.0.2/24 ');
      const multipath = ip(blue, ['route', 'show', 'table', '100']);
      expect(multipath).toMatch(/^10\.20\.0\.0\/16 /);
      expect(multipath).toMatch(/\n\s+nexthop via 10\.0\.0\.9 dev v0 weight 1 /);
      expect(multipath).toMatch(/\n\s+nexthop via 10\.0\.0\.8 dev v0 weight 1 /);

      // `await using`: as written on Node 24 and later; on older Node as TypeScript compiles it.
      const major = Number(process.versions.node.split('.')[0]);
      const disposing = startModule(
        awaitUsing,
        major >= 24
          ? rename(awaitUsing.code, names)
          : ts.transpileModule(rename(awaitUsing.code, names), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText,
      );
      await disposing.succeeded();
      expect(disposing.stdout.join('\n')).toContain("dst: '10.20.0.0/16'");

      for (const line of commands(rename(cleanup.code, names))) sh(line);
      expect(await netns.list()).not.toContain(blue);
    },
    4 * PATIENCE_MS,
  );

  it(
    'runs the socket example: a dump, a refused request, then link events until Ctrl-C',
    async () => {
      const code = startModule(sockets);
      await code.until('the subscription', () => code.stdout.includes('waiting for link events; Ctrl-C to stop'));
      expect(code.stdout).toEqual(['lo', 'ENODEV request type 18 failed: No such device (ENODEV)', 'waiting for link events; Ctrl-C to stop']);
      ip(red, ['link', 'add', 'r0', 'type', 'veth', 'peer', 'name', 'r1']);
      await code.until('a link event', () => code.stdout.some((l) => /^16 \d+$/.test(l)));
      code.child.kill('SIGINT');
      await code.succeeded();
      // The example removes the namespace it made.
      expect(await netns.list()).not.toContain(red);
    },
    2 * PATIENCE_MS,
  );

  it(
    'runs the YNL family example',
    async () => {
      const code = startModule(families);
      await code.succeeded();
      expect(code.stdout.at(-1)).toBe("kvstore [ 'put', 'get', 'delete', 'list', 'change-ntf' ]");
      expect(code.stdout[0]).toMatch(/^1 \[/);
    },
    2 * PATIENCE_MS,
  );

  it(
    'runs the typed family example',
    async () => {
      const code = startModule(typedFamily);
      await code.succeeded();
      expect(code.stdout[0]).toMatch(/^\d+$/);
    },
    2 * PATIENCE_MS,
  );

  it(
    'runs the fake kernel example',
    async () => {
      const code = startModule(fakeKernel);
      await code.succeeded();
      expect(code.stdout).toEqual(['1', 'ENODEV no such device']);
    },
    PATIENCE_MS,
  );

  it(
    'runs the nlkit ynl commands',
    () => {
      const lines = commands(ynl.code);
      expect(lines).toHaveLength(4);
      for (const line of lines) sh(line);
    },
    4 * PATIENCE_MS,
  );

  it(
    'runs the custom family example: a server and a client in one process',
    async () => {
      const code = startModule(ownFamilies);
      await code.succeeded();
      expect(code.stdout.at(-1)).toBe('kvstore get failed: No such file or directory (ENOENT): no such key [at key]');
      expect(code.stdout.join('\n')).toContain('value: Uint8Array(5) [ 104, 101, 108, 108, 111 ]');
    },
    2 * PATIENCE_MS,
  );

  it(
    'type-checks every code block against the package declarations',
    () => {
      const files: string[] = [];
      for (const b of README.filter((x) => x.lang === 'ts')) {
        const file = `check-${b.index}.ts`;
        writeFileSync(path.join(app, file), b.code);
        files.push(file);
      }
      writeFileSync(
        path.join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            lib: ['ES2023', 'ESNext.Disposable'],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node'],
            typeRoots: [path.join(root, 'node_modules', '@types')],
          },
          files,
        }),
      );
      const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
    PATIENCE_MS,
  );
});

describe('the README', () => {
  it('has a test above for every fenced block', () => {
    // Claims are made when the suite above is collected, with or without root.
    const unclaimed = README.filter((b) => !claimed.has(b.index)).map((b) => `${b.index} (${b.lang} under '${b.section}')`);
    expect(unclaimed).toEqual([]);
  });
});

// The section on devices, processes and audit: each block runs as written
// against a private build of the package (test/helpers/private-dist.ts), so
// it needs no shared dist/; 'blue' is replaced by a unique name, removed
// afterwards whatever happens.
describe.skipIf(!canUseKernel)('the README on devices, processes and audit, run as written', () => {
  const sockets = block('Sockets (sock_diag) and `nlkit ss`', 'ts');
  const uevents = block('Device events (kobject uevents)', 'ts');
  const procs = block('Process events (the proc connector)', 'ts');
  const audit = block('Audit', 'ts');
  const taskstats = block('Task statistics (taskstats)', 'ts');
  const blue = uniqueNetnsName('readme-uevent');
  const socketsNs = uniqueNetnsName('readme-ss');
  let pkg: string | undefined;
  const started: Running[] = [];

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-dpa-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    for (const r of started) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await removeNetns(blue);
    await removeNetns(socketsNs);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  /** Runs a block as an ES module inside the private package ('nlkit' resolves to it) and waits for its end. */
  async function runBlock(b: Block, source: string): Promise<Running> {
    const file = path.join(pkg!, `block-${b.index}.mjs`);
    writeFileSync(file, source);
    const r = new Running(
      `README block ${b.index}`,
      spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
    );
    started.push(r);
    await r.succeeded();
    return r;
  }

  it(
    'runs the uevent example: the add events of a veth pair in a namespace it makes and removes',
    async () => {
      const r = await runBlock(uevents, rename(uevents.code, { blue }));
      expect(r.stdout).toEqual(['add /devices/virtual/net/v1 v1 bigint', 'add /devices/virtual/net/v0 v0 bigint']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );

  it(
    'runs the sock_diag example: a listener in a namespace it makes and removes, listed and destroyed',
    async () => {
      const r = await runBlock(sockets, rename(sockets.code, { blue: socketsNs }));
      expect(r.stdout).toEqual(['0.0.0.0 8080 listen bigint', '0']);
      expect(await netns.list()).not.toContain(socketsNs);
    },
    PATIENCE_MS,
  );

  it(
    'runs the proc connector example: fork and exit of a shell',
    async () => {
      const r = await runBlock(procs, procs.code);
      expect(r.stdout).toEqual(['fork true', 'exit 3 null']);
    },
    PATIENCE_MS,
  );

  it(
    'runs the audit example: status, rules, and its own record back',
    async () => {
      const r = await runBlock(audit, audit.code);
      expect(r.stdout).toEqual(['true true', 'true', 'USER_AVC true']);
    },
    PATIENCE_MS,
  );

  it(
    'runs the taskstats example: its own counters, and the exit statistics of a shell',
    async () => {
      const r = await runBlock(taskstats, taskstats.code);
      expect(r.stdout).toEqual(['node true bigint', '3 sh true']);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, nftables and bridges', () => {
  const nftables = block('nftables', 'ts');
  const bridges = block('Bridges', 'ts');
  const blue = uniqueNetnsName('readme-nft');
  const blueBridge = uniqueNetnsName('readme-br');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-nft-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    await removeNetns(blueBridge);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the bridge example: an fdb entry and port settings written and read back, in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${bridges.index}.mjs`);
      writeFileSync(file, rename(bridges.code, { blue: blueBridge }));
      const r = new Running(
        `README block ${bridges.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['static', 'v0 7 0']);
      expect(await netns.list()).not.toContain(blueBridge);
    },
    PATIENCE_MS,
  );

  it(
    'runs the nftables example: a rule written with typed expressions and read back, in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${nftables.index}.mjs`);
      writeFileSync(file, rename(nftables.code, { blue }));
      const r = new Running(
        `README block ${nftables.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['true meta cmp counter immediate', 'l4-proto reg-1']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, ipset', () => {
  const ipsetBlock = block('ipset', 'ts');
  const blue = uniqueNetnsName('readme-ipset');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-ipset-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the ipset example: a set made, filled, tested and listed in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${ipsetBlock.index}.mjs`);
      writeFileSync(file, rename(ipsetBlock.code, { blue }));
      const r = new Running(
        `README block ${ipsetBlock.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['true false', 'hash:ip 192.0.2.1 gateway']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, conntrack', () => {
  const conntrackBlock = block('conntrack', 'ts');
  const blue = uniqueNetnsName('readme-ct');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-ct-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the conntrack example: an entry written, read, deleted by mark, and its events, in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${conntrackBlock.index}.mjs`);
      writeFileSync(file, rename(conntrackBlock.code, { blue }));
      const r = new Running(
        `README block ${conntrackBlock.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['53 1', 'new 53', 'destroy 53']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, IPsec (xfrm)', () => {
  const xfrmBlock = block('IPsec (xfrm)', 'ts');
  const blue = uniqueNetnsName('readme-xfrm');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-xfrm-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the xfrm example: a policy written and listed, the acquire of a ping it covers, the larval SA, in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${xfrmBlock.index}.mjs`);
      writeFileSync(file, rename(xfrmBlock.code, { blue }));
      const r = new Running(
        `README block ${xfrmBlock.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['out 10.7.0.2/32 esp', 'acquire esp 10.7.0.2 out', 'esp 10.7.0.2 1']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, nflog and nfqueue', () => {
  const nf = block('nflog and nfqueue', 'ts');
  const blue = uniqueNetnsName('readme-nfq');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-nfq-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the nflog and nfqueue example: pings logged and queued, one dropped by its verdict, in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${nf.index}.mjs`);
      writeFileSync(file, rename(nf.code, { blue }));
      const r = new Running(
        `README block ${nf.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['4 packets transmitted, 3 received', 'ping input 84', 'ping input 84', 'ping input 84', 'ping input 84']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, nexthop objects', () => {
  const nexthops = block('Nexthop objects', 'ts');
  const blue = uniqueNetnsName('readme-nh');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-nh-'));
    buildPrivatePackage(pkg, []);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the nexthop example: a weighted group and a route through it, in a namespace it makes and removes',
    async () => {
      const file = path.join(pkg!, `block-${nexthops.index}.mjs`);
      writeFileSync(file, rename(nexthops.code, { blue }));
      const r = new Running(
        `README block ${nexthops.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['1x3 2x1', '10.20.0.0/16']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});

describe.skipIf(!canUseKernel)('the README, traffic control', () => {
  const commandsBlock = block('Traffic control', 'sh');
  const code = block('Traffic control', 'ts');
  const blue = uniqueNetnsName('readme-tc');
  let pkg: string | undefined;

  beforeAll(async () => {
    const { buildPrivatePackage } = await import('../helpers/private-dist.js');
    pkg = mkdtempSync(path.join(tmpdir(), 'nlkit-readme-tc-'));
    // The command too: `npx nlkit` runs the private build's dist/cli/main.js.
    buildPrivatePackage(pkg, [], ['src/cli/main.ts']);
  }, 120_000);

  afterAll(async () => {
    await removeNetns(blue);
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it(
    'runs the tc commands, each printing what tc prints, then reads the classes back and removes the namespace from code',
    async () => {
      const lines = commands(rename(commandsBlock.code, { blue }));
      const outputs: string[] = [];
      for (const line of lines) outputs.push(sh(line.replace(/^npx nlkit /, `node ${path.join(pkg!, 'dist', 'cli', 'main.js')} `)));
      const tcOut = (args: string[]): string => execFileSync('tc', ['-n', blue, ...args], { encoding: 'utf8' });
      expect(outputs.at(-2)).toBe(tcOut(['-s', 'class', 'show', 'dev', 'v0']));
      expect(outputs.at(-1)).toBe(tcOut(['-j', '-s', 'filter', 'show', 'dev', 'v0']));
      expect(outputs.at(-2)).toContain('class htb 1:10 root prio 1 rate 5Mbit ceil 10Mbit burst 1600b cburst 1600b \n');

      const file = path.join(pkg!, `block-${code.index}.mjs`);
      writeFileSync(file, rename(code.code, { blue }));
      const r = new Running(
        `README block ${code.index}`,
        spawn(process.execPath, [file], { cwd: pkg!, stdio: ['ignore', 'pipe', 'pipe'], timeout: PATIENCE_MS, killSignal: 'SIGKILL' }),
      );
      await r.succeeded();
      expect(r.stdout).toEqual(['1:10<root 1:20<root', '0']);
      expect(await netns.list()).not.toContain(blue);
    },
    PATIENCE_MS,
  );
});
