// nfnetlink_log against the kernel: an nft rule logs UDP packets of a burst
// sent inside a namespace to a group; NflogSocket must see every one of them,
// with the rule's prefix and the packet's bytes.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NflogSocket, type NflogPacket, type NflogSubscription } from '../../src/families/netfilter/nflog.js';
import { isOverrun, NetlinkError } from '../../src/index.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const run = promisify(execFile);

/** Loads an nft ruleset into a namespace. */
function nft(ns: string, ruleset: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: ruleset, stdio: ['pipe', 'ignore', 'pipe'] });
}

/** Sends `count` UDP datagrams "pkt-NNNN" to 127.0.0.1:port from inside the namespace. */
function udpBurst(ns: string, port: number, count: number): Promise<unknown> {
  const script = `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(${count}):\n    s.sendto(b"pkt-%04d" % i, ("127.0.0.1", ${port}))\n`;
  return run('ip', ['netns', 'exec', ns, 'python3', '-c', script]);
}

/** The UDP payload of an IPv4 packet. */
function udpPayload(ip: Uint8Array): string {
  const ihl = (ip[0]! & 0x0f) * 4;
  return Buffer.from(ip.subarray(ihl + 8)).toString('latin1');
}

describe.skipIf(!canUseKernel)('NflogSocket', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNetns('nflog');
    nft(
      ns,
      `table inet nlkit {
        chain input {
          type filter hook input priority 0; policy accept;
          udp dport 9999 log prefix "nlkit-burst" group 5
          udp dport 9998 log group 6 snaplen 20
          udp dport 9997 log prefix "sentinel" group 5
        }
      }`,
    );
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('sees every packet of a burst of 1000, with the prefix and the payload', async () => {
    await using log = await NflogSocket.open({ netns: ns });
    const sub = await log.subscribe(5, { qthresh: 50, timeout: 1 });
    const sent = udpBurst(ns, 9999, 1000);
    const got: NflogPacket[] = [];
    let overruns = 0;
    for await (const p of sub) {
      if (isOverrun(p)) {
        overruns++;
        continue;
      }
      got.push(p);
      if (got.length === 1000) break;
    }
    await sent;
    expect(overruns).toBe(0);
    expect(got.map((p) => udpPayload(p.payload!))).toEqual(Array.from({ length: 1000 }, (_, i) => `pkt-${String(i).padStart(4, '0')}`));
    const first = got[0]!;
    expect(first).toMatchObject({ group: 5, prefix: 'nlkit-burst', family: 'ipv4', hook: 'input', hwProtocol: 0x0800, mark: 0, indev: 1 });
    expect(first.outdev).toBeUndefined();
    expect(got.every((p) => p.prefix === 'nlkit-burst')).toBe(true);
  });

  it('gives the sequence numbers asked for and cuts payloads to the rule snaplen', async () => {
    await using log = await NflogSocket.open({ netns: ns });
    const sub = await log.subscribe(6, { qthresh: 1, flags: ['seq'] });
    const sent = udpBurst(ns, 9998, 3);
    const got: NflogPacket[] = [];
    for await (const p of sub) {
      if (isOverrun(p)) continue;
      got.push(p);
      if (got.length === 3) break;
    }
    await sent;
    expect(got.map((p) => p.seq)).toEqual([0, 1, 2]);
    expect(got.map((p) => p.payload!.length)).toEqual([20, 20, 20]);
    expect(got.map((p) => p.prefix)).toEqual(['', '', '']);
  });

  it('marks in-band where the kernel dropped packets for a full socket, and goes on after it', async () => {
    // A tiny receive buffer and a JS queue of one: the socket stops reading
    // after the first packet and the kernel's unicasts fail (ENOBUFS).
    await using log = await NflogSocket.open({ netns: ns, rcvbuf: 1024 });
    const sub = await log.subscribe(5, { qthresh: 1, maxQueue: 1, flags: ['seq'] });
    const first = sub.next();
    await udpBurst(ns, 9999, 300);
    const seqs: number[] = [];
    let overruns = 0;
    let sentinels: ReturnType<typeof setInterval> | undefined;
    let sentinelSeq = -1;
    try {
      for (let r = await first; !r.done; r = await sub.next()) {
        const p = r.value;
        if (isOverrun(p)) {
          overruns++;
          // What the kernel still held comes after the marker; a packet sent
          // now shows the stream goes on (sent until one gets through).
          sentinels ??= setInterval(() => void udpBurst(ns, 9997, 1), 50);
          continue;
        }
        if (p.prefix === 'sentinel') {
          sentinelSeq = p.seq!;
          break;
        }
        seqs.push(p.seq!);
      }
    } finally {
      clearInterval(sentinels);
    }
    expect(overruns).toBeGreaterThan(0);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs.length).toBeLessThan(300);
    // What arrived is in order; the group's sequence numbers count every
    // packet the kernel logged (the burst's 300 among them, seq 0..299), so
    // the sentinel's number shows the loss the marker announced.
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBe(0);
    expect(sentinelSeq).toBeGreaterThanOrEqual(300);
  });

  it('asks for conntrack information: refused with EOPNOTSUPP by a kernel without nfnetlink glue, the group left unbound', async () => {
    // nfulnl_recv_config() checks NFULNL_CFG_F_CONNTRACK against nfnl_ct_hook
    // (CONFIG_NETFILTER_NETLINK_GLUE_CT) before it binds anything.
    const config = existsSync('/proc/config.gz') ? gunzipSync(readFileSync('/proc/config.gz')).toString() : '';
    const glue = /^CONFIG_NETFILTER_NETLINK_GLUE_CT=y$/m.test(config);
    await using log = await NflogSocket.open({ netns: ns });
    const outcome = await log.subscribe(6, { flags: ['conntrack'], qthresh: 1 }).then(
      (s) => s,
      (e: unknown) => e,
    );
    if (glue) {
      const sub = outcome as NflogSubscription;
      const sent = udpBurst(ns, 9998, 1);
      for await (const p of sub) {
        if (isOverrun(p)) continue;
        expect(p.conntrack).toMatchObject({ protocol: 'udp', original: { dport: 9998 } });
        break;
      }
      await sent;
    } else {
      expect(outcome).toBeInstanceOf(NetlinkError);
      expect((outcome as NetlinkError).code).toBe('EOPNOTSUPP');
      const groups = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netfilter/nfnetlink_log'], { encoding: 'utf8' });
      expect(groups.split('\n').filter((l) => /^\s*6\s/.test(l))).toEqual([]);
    }
  });

  it('refuses a group another socket has bound with EPERM, and frees it on close', async () => {
    const a = await NflogSocket.open({ netns: ns });
    await a.subscribe(7);
    await using b = await NflogSocket.open({ netns: ns });
    const err = await b.subscribe(7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EPERM');
    a.close();
    const sub = await b.subscribe(7);
    sub.close();
  });
});
