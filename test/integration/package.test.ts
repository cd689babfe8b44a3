// The packed tarball, installed into an empty folder elsewhere, loads its
// prebuilt addon without compiling and exposes the documented names.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('the packed package', () => {
  let dir: string;
  let tarball: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-pack-'));
    // `npm pack` would run prepack (prebuildify), which rebuilds build/ under
    // the other test files' feet. The addon `npm install` built is the same
    // N-API binary, so it stands in as the prebuild here.
    const prebuild = path.join(root, 'prebuilds', 'linux-x64', 'nlkit.node');
    if (!existsSync(prebuild)) {
      mkdirSync(path.dirname(prebuild), { recursive: true });
      copyFileSync(path.join(root, 'build', 'Release', 'nlkit.node'), prebuild);
    }
    execFileSync('npm', ['run', 'compile'], { cwd: root, stdio: 'ignore' });
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    tarball = path.join(dir, out.trim().split('\n').pop()!);
    const app = path.join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: app, stdio: 'ignore' });
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships dist, prebuilds and the native sources, not the tests', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/prebuilds/linux-x64/nlkit.node');
    expect(files).toContain('package/binding.gyp');
    expect(files).toContain('package/native/socket.cc');
    expect(files.some((f) => f.startsWith('package/test/'))).toBe(false);
  });

  it('loads in an empty folder without compiling and opens a socket', () => {
    const app = path.join(dir, 'app');
    const script = `
      import { NetlinkSocket, Protocol, MessageWriter, NetlinkError, netns, RTM_GETLINK, NLM_F_DUMP, RTNLGRP_LINK, IFLA_IFNAME } from 'nlkit';
      const sock = await NetlinkSocket.open(Protocol.ROUTE);
      console.log(JSON.stringify({ port: sock.portId > 0, names: [typeof MessageWriter, typeof NetlinkError, typeof netns.create, RTM_GETLINK, NLM_F_DUMP, RTNLGRP_LINK, IFLA_IFNAME] }));
      sock.close();
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ port: true, names: ['function', 'function', 'function', 18, 0x300, 1, 3] });
    expect(existsSync(path.join(app, 'node_modules', 'nlkit', 'build'))).toBe(false);
  });

  it('type-checks a consumer written against the documented surface, typed families and the fake kernel', () => {
    const app = path.join(dir, 'app');
    writeFileSync(
      path.join(app, 'use.ts'),
      `import { NetlinkSocket, Protocol, MessageWriter, NetlinkError, netns, RTNLGRP_LINK, isOverrun, FamilyClient } from 'nlkit';
       import { family as netdev } from 'nlkit/families/netdev';
       import { FakeKernel } from 'nlkit/testing';
       export async function main(): Promise<number> {
         const sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: 'blue', rcvbuf: 1 << 20, extAck: true, strict: true });
         const w = new MessageWriter();
         const bytes: Uint8Array = w.beginMessage(18, 0x301).endMessage().finish();
         let n: number = sock.portId;
         for await (const msg of sock.dump(bytes)) n += msg.type + msg.flags + msg.seq + msg.portId + msg.payload.length;
         try { await sock.request(bytes); } catch (e) { if (e instanceof NetlinkError) n += e.errno + e.code.length + (e.extAck?.message?.length ?? 0); }
         for await (const item of sock.subscribe([RTNLGRP_LINK])) { if (isOverrun(item)) break; n += item.type; }
         sock.close();
         await netns.create('blue'); await netns.list(); await netns.remove('blue');
         return n;
       }
       // A generated family on its own, and typed calls to it.
       export async function typed(): Promise<number> {
         const kernel = new FakeKernel({ handler: (req) => req.done() });
         await using client = await FamilyClient.open(netdev, { socket: await kernel.open(Protocol.GENERIC), familyId: 0x1c });
         const devs = await client.dumpAll('dev-get', { ifindex: 1 });
         const index: number | undefined = devs[0]?.ifindex;
         // @ts-expect-error: a misspelled operation does not compile
         await client.dumpAll('dev-gett');
         // @ts-expect-error: nor does an attribute the operation does not have
         await client.do('dev-get', { ifindx: 1 });
         return index ?? 0;
       }
      `,
    );
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
          lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
        },
        files: ['use.ts'],
      }),
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
  });
});
