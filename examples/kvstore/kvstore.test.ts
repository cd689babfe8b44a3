// The kvstore example end to end over NETLINK_USERSOCK, in a namespace of its
// own: the server in this process, and the server as a child process started
// with `node server.mjs` (and the client script too). Needs root: namespaces,
// and multicast on NETLINK_USERSOCK (CAP_NET_ADMIN).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../src/core/errors.js';
import { FamilyClient } from '../../src/families/client.js';
import { defineFamily, FamilyServer, loadFamily, type CustomFamily } from '../../src/families/custom/index.js';
import { canUseKernel, createNetns, removeNetns } from '../../test/helpers/kernel.js';
import { kvstoreSpec } from './kvstore-spec.js';
import { createKvStore } from './store.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const family = loadFamily(path.join(here, 'kvstore.yaml'));
const ENTRIES = 10_000;
const text = new TextEncoder();
const bytes = (s: string): Uint8Array => text.encode(s);
const keyOf = (i: number): string => `key-${String(i).padStart(5, '0')}`;

async function rejection(p: Promise<unknown>): Promise<NetlinkError> {
  const err = await p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NetlinkError);
  return err as NetlinkError;
}

/**
 * A private copy of the compiled library for the child process: the sources
 * the scripts need, transpiled (no type check: tsc covers that) into a temp
 * folder laid out like the package, so `node server.mjs` runs the code under
 * test without touching the shared dist/.
 */
function buildPrivateDist(dir: string): void {
  const entries = ['src/families/custom/index.ts', 'src/families/client.ts'];
  const seen = new Set<string>();
  while (entries.length > 0) {
    const rel = entries.pop()!;
    if (seen.has(rel)) continue;
    seen.add(rel);
    const source = readFileSync(path.join(root, rel), 'utf8');
    const out = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, isolatedModules: true },
      fileName: rel,
    }).outputText;
    const target = path.join(dir, 'dist', path.relative('src', rel).replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, out);
    for (const m of out.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      entries.push(path.join(path.dirname(rel), `${m[1]!}.ts`));
    }
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'nlkit', type: 'module', private: true }));
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  symlinkSync(path.join(root, 'build'), path.join(dir, 'build'));
  const examples = path.join(dir, 'examples', 'kvstore');
  mkdirSync(examples, { recursive: true });
  for (const f of ['kvstore.yaml', 'store.mjs', 'server.mjs', 'client.mjs']) copyFileSync(path.join(here, f), path.join(examples, f));
}

/** Runs `node client.mjs ARGS` and returns its exit code and output lines. */
async function runClient(dir: string, args: string[]): Promise<{ code: number; stdout: unknown[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(dir, 'examples', 'kvstore', 'client.mjs'), ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      if (err && code === -1) {
        reject(err);
        return;
      }
      resolve({
        code,
        stdout: stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as unknown),
        stderr,
      });
    });
  });
}

interface Setup {
  ns: string;
  port: number;
  family: CustomFamily;
}

/** The behaviour every setup must show, against a server at `setup().port`. */
function behavesLikeAKvStore(setup: () => Setup): void {
  const open = (): Promise<FamilyClient> => FamilyClient.open(setup().family, { port: setup().port, netns: setup().ns });

  it('puts a key and gets it back', async () => {
    await using client = await open();
    expect(await client.do('put', { key: 'greeting', value: bytes('hello') })).toBeUndefined();
    const reply = await client.do('get', { key: 'greeting' });
    expect(reply).toEqual({ key: 'greeting', value: bytes('hello') });
  });

  it('rejects a get of a missing key with ENOENT, the message and the key attribute', async () => {
    await using client = await open();
    const err = await rejection(client.do('get', { key: 'nothing' }));
    expect(err.code).toBe('ENOENT');
    expect(err.extAck?.message).toBe('no such key');
    expect(err.attributePath).toBe('key');
    expect(err.extAck?.offset).toBe(16); // right after the nlmsghdr: the first attribute
    expect(err.message).toBe('kvstore get failed: No such file or directory (ENOENT): no such key [at key]');
  });

  it('rejects a value that is too long with ERANGE pointing at the value attribute', async () => {
    await using client = await open();
    const err = await rejection(client.do('put', { key: 'big', value: new Uint8Array(2000) }));
    expect(err.code).toBe('ERANGE');
    expect(err.extAck?.message).toBe('value too long');
    expect(err.attributePath).toBe('value');
    // nlmsghdr (16) + key attribute (4 + 'big\0' = 8): the value attribute starts at 24.
    expect(err.extAck?.offset).toBe(24);
    await expect(client.do('get', { key: 'big' })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('names a missing required attribute', async () => {
    await using client = await open();
    const err = await rejection(client.do('put', { key: 'novalue' }));
    expect(err.code).toBe('EINVAL');
    expect(err.extAck?.missingType).toBe(2);
    expect(err.missingAttribute).toBe('value');
    expect(err.message).toBe('kvstore put failed: Invalid argument (EINVAL) [missing value]');
  });

  it(`dumps ${ENTRIES} entries, all of them, in order`, async () => {
    await using writer = await open();
    await Promise.all(Array.from({ length: ENTRIES }, (_, i) => writer.do('put', { key: keyOf(i), value: bytes(`value ${i}`) })));
    // A small receive buffer, so the server must wait for this reader.
    await using reader = await FamilyClient.open(setup().family, { port: setup().port, netns: setup().ns, rcvbuf: 64 * 1024 });
    const keys: string[] = [];
    let mismatched = 0;
    for await (const entry of reader.dump('list')) {
      const key = entry.key as string;
      if (key.startsWith('key-')) {
        if (new TextDecoder().decode(entry.value as Uint8Array) !== `value ${Number(key.slice(4))}`) mismatched++;
        keys.push(key);
      }
    }
    expect(keys.length).toBe(ENTRIES);
    expect(keys).toEqual(Array.from({ length: ENTRIES }, (_, i) => keyOf(i)));
    expect(mismatched).toBe(0);
    await Promise.all(Array.from({ length: ENTRIES }, (_, i) => writer.do('delete', { key: keyOf(i) })));
  });

  it('notifies a subscribed client when another client changes a key', async () => {
    await using watcher = await open();
    await using changer = await open();
    const changes = await watcher.subscribe('changes');
    try {
      await changer.do('put', { key: 'watched', value: bytes('v1') });
      await changer.do('delete', { key: 'watched' });
      const first = await changes.next();
      const second = await changes.next();
      expect(first.value).toMatchObject({ name: 'change-ntf', msg: { change: 'put', key: 'watched', value: bytes('v1') } });
      expect(second.value).toMatchObject({ name: 'change-ntf', msg: { change: 'delete', key: 'watched' } });
      // Stamped like the kernel's notifications: the changer's port and sequence number.
      expect((first.value as { message: { portId: number } }).message.portId).toBe(changer.socket.portId);
    } finally {
      changes.close();
    }
  });
}

describe.skipIf(!canUseKernel)('kvstore example', () => {
  let ns = '';
  beforeAll(async () => {
    ns = await createNetns('kv');
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  describe('server and clients in one process', () => {
    let server: FamilyServer | undefined;
    beforeAll(async () => {
      server = await FamilyServer.open(family, { handlers: createKvStore().handlers, netns: ns });
    });
    afterAll(() => {
      server?.close();
    });

    behavesLikeAKvStore(() => ({ ns, port: server!.port, family }));

    it('waited for the small-buffered reader instead of overrunning it', () => {
      expect(server!.stats.deferred).toBeGreaterThan(0);
      expect(server!.stats.dumps).toBeGreaterThanOrEqual(1);
    });
  });

  describe('the same family defined in TypeScript (defineFamily)', () => {
    const defined = defineFamily(kvstoreSpec);
    let server: FamilyServer<'put' | 'get' | 'delete' | 'list' | 'change-ntf'> | undefined;
    beforeAll(async () => {
      server = await FamilyServer.open(defined, { handlers: createKvStore().handlers, netns: ns });
    });
    afterAll(() => {
      server?.close();
    });

    it('is the family kvstore.yaml describes', () => {
      expect(defined.spec).toEqual(family.spec);
    });

    behavesLikeAKvStore(() => ({ ns, port: server!.port, family: defined }));
  });

  describe('server as a child process (node server.mjs)', () => {
    let dir = '';
    let child: ChildProcess | undefined;
    let port = 0;
    let stderr = '';

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'nlkit-kvstore-'));
      buildPrivateDist(dir);
      child = spawn(process.execPath, [path.join(dir, 'examples', 'kvstore', 'server.mjs'), '--netns', ns, '--stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const lines = createInterface({ input: child.stdout! });
      const exited = once(child, 'exit').then(([code]) => {
        throw new Error(`server exited (${String(code)}) before printing its port: ${stderr}`);
      });
      const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
      port = (JSON.parse(line) as { port: number }).port;
    });

    afterAll(async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('prints its port id on stdout', () => {
      expect(port).toBeGreaterThan(0);
    });

    behavesLikeAKvStore(() => ({ ns, port, family }));

    it('answers the client script too', async () => {
      const put = await runClient(dir, ['--port', String(port), '--netns', ns, 'put', 'script', 'from a script']);
      expect(put).toMatchObject({ code: 0, stdout: [{ ok: true }] });
      const get = await runClient(dir, ['--port', String(port), '--netns', ns, 'get', 'script']);
      expect(get).toMatchObject({ code: 0, stdout: [{ key: 'script', value: 'from a script' }] });
      const missing = await runClient(dir, ['--port', String(port), '--netns', ns, 'get', 'absent']);
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stderr)).toEqual({
        error: 'ENOENT',
        message: 'kvstore get failed: No such file or directory (ENOENT): no such key [at key]',
        attribute: 'key',
      });
      const list = await runClient(dir, ['--port', String(port), '--netns', ns, 'list']);
      expect(list.stdout).toContainEqual({ key: 'script', value: 'from a script' });
    });

    it('exits cleanly on SIGTERM', async () => {
      const exited = once(child!, 'exit');
      child!.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, string | null];
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    });
  });
});
