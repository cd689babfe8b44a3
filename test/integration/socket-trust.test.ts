// What a user must be able to trust of a socket: nothing in flight waits
// behind a full subscription, an idle socket neither holds the process open
// nor leaks when forgotten, and on user-space protocols only the peer a
// request went to can answer it. Child processes run a private build of the
// package, so a hang or a leak shows in them, not in the test runner.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NLMSG_ERROR, NLM_F_REQUEST, Protocol } from '../../src/core/constants.js';
import { RTM_GETLINK, RTNLGRP_IPV4_ROUTE } from '../../src/families/route/constants.js';
import { NetlinkError } from '../../src/core/errors.js';
import { MessageWriter } from '../../src/core/writer.js';
import { writeErrorMessage } from '../../src/core/ackwrite.js';
import type { MessageView } from '../../src/core/message.js';
import { NetlinkSocket } from '../../src/io/socket.js';
import { isOverrun, type SubscriptionItem } from '../../src/io/subscription.js';
import { FamilyClient } from '../../src/families/client.js';
import { FamilyServer, loadFamily } from '../../src/families/custom/index.js';
import { buildPrivatePackage } from '../helpers/private-dist.js';
import { canUseKernel, createNetns, ip, ipBatch, removeNetns } from '../helpers/kernel.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const kvstore = loadFamily(path.join(root, 'examples', 'kvstore', 'kvstore.yaml'));

/** An RTM_GETLINK dump request. */
function getlinkDump(): Uint8Array {
  const w = new MessageWriter(64);
  w.beginMessage(RTM_GETLINK, NLM_F_REQUEST);
  w.putRaw(new Uint8Array(16)); // struct ifinfomsg
  w.endMessage();
  return w.finish();
}

/** Waits (a turn of the loop at a time, never a timer) until `done()` holds. */
async function until(done: () => boolean, what: string, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (done()) return;
    await nextTurn();
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Runs a script in a child process: its exit code, or 'hung' if it had not exited after `ms`. */
function runScript(dir: string, source: string, args: string[] = [], ms = 20_000): Promise<{ code: number | 'hung'; stdout: string; stderr: string }> {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', file, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // The bound of a test that must not hang: what is asserted is the exit, not the time.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'hung', stdout, stderr });
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe.skipIf(!canUseKernel)('trust in a socket', () => {
  let ns = '';
  let dir = '';
  beforeAll(async () => {
    ns = await createNetns('trust');
    dir = mkdtempSync(path.join(tmpdir(), 'nlkit-trust-'));
    // Readable by an unprivileged attacker process too.
    chmodSync(dir, 0o755);
    buildPrivatePackage(dir, [], ['src/cli/main.ts']);
  }, 120_000);
  afterAll(async () => {
    await removeNetns(ns);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('a full subscription', () => {
    it('does not keep a dump waiting: the dump completes and the subscription reports what it dropped', async () => {
      const sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
      try {
        const sub = sock.subscribe(RTNLGRP_IPV4_ROUTE, { maxQueue: 2 });
        // Two events fill the queue and reading stops; four more wait in the kernel.
        for (let i = 0; i < 2; i++) ip(ns, ['route', 'add', 'blackhole', `10.61.${i}.0/24`]);
        await until(() => sub.queued >= 2, 'the subscription to fill');
        for (let i = 2; i < 6; i++) ip(ns, ['route', 'add', 'blackhole', `10.61.${i}.0/24`]);
        const links = await sock.dumpAll(getlinkDump());
        expect(links.map((m) => m.type)).toEqual([16]); // lo's RTM_NEWLINK
        const items: SubscriptionItem[] = [];
        for (let i = 0; i < 3; i++) items.push((await sub.next()).value as SubscriptionItem);
        expect(items.map((x) => (isOverrun(x) ? 'overrun' : 'route'))).toEqual(['route', 'route', 'overrun']);
        // The stream goes on after the marker.
        ip(ns, ['route', 'add', 'blackhole', '10.61.99.0/24']);
        for (;;) {
          const next = (await sub.next()).value as SubscriptionItem;
          if (isOverrun(next)) continue;
          expect((next as MessageView).type).toBe(24); // RTM_NEWROUTE
          break;
        }
        sub.close();
      } finally {
        sock.close();
        ip(ns, ['route', 'flush', 'type', 'blackhole']);
      }
    });

    it('does not keep a request waiting', async () => {
      const sock = await NetlinkSocket.open(Protocol.ROUTE, { netns: ns });
      try {
        const sub = sock.subscribe(RTNLGRP_IPV4_ROUTE, { maxQueue: 1 });
        for (let i = 0; i < 3; i++) ip(ns, ['route', 'add', 'blackhole', `10.62.${i}.0/24`]);
        await until(() => sub.queued >= 1, 'the subscription to fill');
        // A getlink request for lo by index: answered although the subscription is full.
        const w = new MessageWriter(64);
        w.beginMessage(RTM_GETLINK, NLM_F_REQUEST);
        const ifi = new Uint8Array(16);
        new DataView(ifi.buffer).setInt32(4, 1, true);
        w.putRaw(ifi);
        w.endMessage();
        const replies = await sock.request(w.finish());
        expect(replies.length).toBe(1);
        sub.close();
      } finally {
        sock.close();
        ip(ns, ['route', 'flush', 'type', 'blackhole']);
      }
    });

    it('nlkit monitor prints the overrun as ip does and goes on printing', async () => {
      const routes: string[] = [];
      for (let i = 0; i < 50_000; i++) routes.push(`route add blackhole 10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`);
      // A small receive buffer, as ip monitor's, so the burst cannot fit.
      const child: ChildProcess = spawn(process.execPath, [path.join(dir, 'dist/cli/main.js'), '-n', ns, '-rcvbuf', '65536', 'monitor', 'route'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let exited = false;
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', () => (exited = true));
      try {
        // Subscribed once a route event shows.
        let probe = 0;
        await until(
          () => {
            if (exited || stdout.includes('10.63.')) return true;
            if (probe < 1000) ip(ns, ['route', 'replace', 'blackhole', `10.63.${probe++ & 255}.0/24`]);
            return false;
          },
          'the monitor to subscribe',
          5_000,
        );
        expect(exited).toBe(false);
        child.kill('SIGSTOP');
        ipBatch(ns, routes);
        child.kill('SIGCONT');
        await until(() => exited || stderr.includes('\n'), 'the overrun report');
        ip(ns, ['route', 'add', 'blackhole', '10.64.0.0/24']);
        await until(() => exited || stdout.includes('blackhole 10.64.0.0/24'), 'an event after the overrun');
        expect(exited).toBe(false);
        expect(stderr.split('\n')[0]).toBe('netlink receive error No buffer space available (105)');
      } finally {
        child.kill('SIGKILL');
        ip(ns, ['route', 'flush', 'type', 'blackhole']);
      }
    }, 60_000);
  });

  describe('an idle socket', () => {
    it('lets a script that opened a socket, a RouteClient or a FamilyClient and did nothing exit', async () => {
      const r = await runScript(
        dir,
        `import { NetlinkSocket, RouteClient, Protocol } from 'nlkit';
         const a = await NetlinkSocket.open(Protocol.ROUTE, { netns: process.argv[2] });
         const rt = await RouteClient.open({ netns: process.argv[2] });
         await rt.links.listAll();
         console.log('opened', a.portId > 0);`,
        [ns],
      );
      expect(r).toMatchObject({ code: 0, stdout: 'opened true\n' });
    });

    it('holds the process while a subscription runs, and not after unref()', async () => {
      const held = await runScript(
        dir,
        `import { NetlinkSocket, Protocol } from 'nlkit';
         const s = await NetlinkSocket.open(Protocol.ROUTE, { netns: process.argv[2] });
         const sub = s.subscribe(7);
         setTimeout(() => { console.log('still here'); sub.close(); }, 300);`,
        [ns],
      );
      expect(held).toMatchObject({ code: 0, stdout: 'still here\n' });
      const unrefed = await runScript(
        dir,
        `import { NetlinkSocket, Protocol } from 'nlkit';
         const s = await NetlinkSocket.open(Protocol.ROUTE, { netns: process.argv[2] });
         s.unref();
         s.subscribe(7);
         console.log('subscribed');`,
        [ns],
      );
      expect(unrefed).toMatchObject({ code: 0, stdout: 'subscribed\n' });
    });

    it('is closed when collected: 1 000 sockets dropped without close() give back their fds', async () => {
      const r = await runScript(
        dir,
        `import { readdirSync } from 'node:fs';
         import { setImmediate as turn } from 'node:timers/promises';
         import { NetlinkSocket, Protocol } from 'nlkit';
         const fds = () => readdirSync('/proc/self/fd').length;
         const before = fds();
         for (let i = 0; i < 1000; i++) await NetlinkSocket.open(Protocol.ROUTE, { rcvbuf: 4096 });
         const open = fds();
         for (let i = 0; i < 50 && fds() > before; i++) { globalThis.gc(); await turn(); }
         console.log(JSON.stringify({ opened: open - before, left: fds() - before }));`,
      );
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ opened: 1000, left: 0 });
    });
  });

  describe('a user-space protocol', () => {
    it('takes a reply only from the port the request went to', async () => {
      // A server that, before answering, lets an attacker answer first with
      // the request's exact sequence number.
      const server = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
      const attacker = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
      const client = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
      try {
        server.onIncoming((msg) => {
          const forged = new MessageWriter(64);
          writeErrorMessage(forged, msg.bytes, 0, undefined, { portId: msg.portId });
          attacker.send(forged.finish(), { port: msg.senderPort });
          const real = new MessageWriter(64);
          writeErrorMessage(real, msg.bytes, 1, { message: 'the real answer' }, { portId: msg.portId });
          server.send(real.finish(), { port: msg.senderPort });
        });
        const w = new MessageWriter(64);
        w.beginMessage(0x20, 0);
        w.endMessage();
        const err = await client.request(w.finish(), { port: server.portId }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(NetlinkError);
        expect(err).toMatchObject({ code: 'EPERM', extAck: { message: 'the real answer' } });
        expect(client.stats.dropped).toBe(1);
      } finally {
        server.close();
        attacker.close();
        client.close();
      }
    });

    it('starts sequence numbers where nobody can guess them', async () => {
      const seen: number[] = [];
      const server = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
      try {
        server.onIncoming((msg) => {
          seen.push(msg.seq);
          const ack = new MessageWriter(64);
          writeErrorMessage(ack, msg.bytes, 0, undefined, { portId: msg.portId });
          server.send(ack.finish(), { port: msg.senderPort });
        });
        for (let i = 0; i < 8; i++) {
          const client = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
          const w = new MessageWriter(64);
          w.beginMessage(0x20, 0);
          w.endMessage();
          await client.request(w.finish(), { port: server.portId });
          client.close();
        }
      } finally {
        server.close();
      }
      expect(new Set(seen).size).toBe(8);
      expect(seen.filter((s) => s < 1000).length).toBeLessThan(2);
    });

    it('the kvstore client accepts nothing an unprivileged flood forges, replies or notifications', async () => {
      const server = await FamilyServer.open(kvstore, {
        netns: ns,
        handlers: {
          get: (_req, ctx) => {
            throw ctx.error('ENOENT', 'no such key');
          },
        },
      });
      const client = await FamilyClient.open(kvstore, { netns: ns, port: server.port });
      // An unprivileged process in the namespace floods forged ACKs and
      // replies for sequence numbers 1..30 at the client's port while it works.
      const flood = spawn(
        'ip',
        ['netns', 'exec', ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.join(dir, 'flood.mjs'), String(client.socket.portId)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      writeFileSync(
        path.join(dir, 'flood.mjs'),
        `import { NetlinkSocket, Protocol } from 'nlkit';
         const s = await NetlinkSocket.open(Protocol.USERSOCK, { rcvbuf: 4096 });
         const port = Number(process.argv[2]);
         const msg = (type, seq, body) => { const b = new Uint8Array(16 + body); const v = new DataView(b.buffer); v.setUint32(0, b.length, true); v.setUint16(4, type, true); v.setUint32(8, seq, true); v.setUint32(12, port, true); return b; };
         console.log('flooding');
         for (;;) {
           for (let seq = 1; seq <= 30; seq++) {
             try { s.send(msg(${NLMSG_ERROR}, seq, 20), { port }); s.send(msg(17, seq, 0), { port }); } catch {}
           }
           await new Promise((r) => setImmediate(r));
         }`,
      );
      let started = false;
      flood.stdout.on('data', () => (started = true));
      try {
        await until(() => started || flood.exitCode !== null, 'the flood to start');
        expect(flood.exitCode).toBe(null);
        let accepted = 0;
        for (let i = 0; i < 30; i++) {
          try {
            await client.do('get', { key: `k${i}` });
            accepted++;
          } catch (err) {
            expect(err).toMatchObject({ code: 'ENOENT' });
          }
        }
        expect(accepted).toBe(0);
        expect(client.socket.stats.dropped + client.socket.stats.unmatched).toBeGreaterThan(0);
      } finally {
        flood.kill('SIGKILL');
        client.close();
        server.close();
      }
    });

    it('takes notifications only from the server a client talks to', async () => {
      const server = await FamilyServer.open(kvstore, { netns: ns, handlers: {} });
      const client = await FamilyClient.open(kvstore, { netns: ns, port: server.port });
      const forger = await NetlinkSocket.open(Protocol.USERSOCK, { netns: ns });
      try {
        const sub = await client.subscribe('changes');
        const w = new MessageWriter(64);
        kvstore.ops['change-ntf']!.encodeReply!(w, { change: 'put', key: 'forged' }, { flags: 0, seq: 0, portId: 0 });
        forger.send(w.finish(), { port: forger.portId, groups: 1 });
        server.notify('change-ntf', { change: 'delete', key: 'real' });
        const first = await sub.next();
        expect(first.value).toMatchObject({ name: 'change-ntf', msg: { key: 'real' } });
        sub.close();
      } finally {
        forger.close();
        client.close();
        server.close();
      }
    });
  });
});
