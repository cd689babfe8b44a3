// nfnetlink_queue against the kernel: nft rules queue the packets of a ping
// flood and of UDP traffic inside a namespace; NfqueueSocket must see every
// one of them, and its verdicts (drop, accept with a mark, payload rewrite)
// must take effect; a full queue fails open or drops as configured.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { NfqueueSocket, type NfqueuePacket } from '../../src/families/netfilter/nfqueue.js';
import { NftablesClient, expr } from '../../src/families/netfilter/nftables.js';
import { isOverrun, NetlinkError, NlkitError } from '../../src/index.js';
import { canUseKernel, createNetns, removeNetns } from '../helpers/kernel.js';

const run = promisify(execFile);

function nft(ns: string, ruleset: string): void {
  execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: ruleset, stdio: ['pipe', 'ignore', 'pipe'] });
}

/** Packets counted by the rule with this comment. */
function counter(ns: string, comment: string): number {
  const out = JSON.parse(execFileSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'table', 'inet', 'nlkit'], { encoding: 'utf8' })) as {
    nftables: { rule?: { comment?: string; expr: { counter?: { packets: number } }[] } }[];
  };
  const rule = out.nftables.find((o) => o.rule?.comment === comment)?.rule;
  if (!rule) throw new Error(`no rule with comment ${comment}`);
  return rule.expr.find((e) => e.counter)!.counter!.packets;
}

/** Packets counted by the target-less iptables rule of INPUT for this UDP port. */
function iptablesCount(ns: string, port: number): number {
  const text = execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-n', '-v', '-x', '-L', 'INPUT'], { encoding: 'utf8' });
  // pkts bytes target prot opt in out source destination [match]: a rule without a target has an empty target column.
  const line = text.split('\n').find((l) => l.includes(`udp dpt:${port}`) && !l.includes('NFQUEUE'));
  if (!line) throw new Error(`no counting rule for port ${port}:\n${text}`);
  return Number(line.trim().split(/\s+/)[0]);
}

/** One queue's line of /proc/net/netfilter/nfnetlink_queue: waiting packets and drops. */
function queueStats(ns: string, num: number): { total: number; dropped: number; userDropped: number } {
  const text = execFileSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netfilter/nfnetlink_queue'], { encoding: 'utf8' });
  const line = text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .find((f) => f[0] === num);
  if (!line) throw new Error(`queue ${num} is not bound:\n${text}`);
  // queue_number peer_portid queue_total copy_mode copy_range queue_dropped user_dropped id_sequence 1
  return { total: line[2]!, dropped: line[5]!, userDropped: line[6]! };
}

async function until<T>(what: string, read: () => T, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends UDP datagrams from inside the namespace to 127.0.0.1:port. */
function udpSend(ns: string, port: number, payloads: string[]): Promise<unknown> {
  const script = `import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor p in sys.argv[1:]:\n    s.sendto(p.encode(), ("127.0.0.1", ${port}))\n`;
  return run('ip', ['netns', 'exec', ns, 'python3', '-c', script, ...payloads]);
}

/** The offset of the UDP payload in an IPv4 packet. */
function udpPayloadAt(ip: Uint8Array): number {
  return (ip[0]! & 0x0f) * 4 + 8;
}

describe.skipIf(!canUseKernel)('NfqueueSocket', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await createNetns('nfqueue');
    // This kernel has no nft queue expression (CONFIG_NFT_QUEUE is off: nft
    // fails with ENOENT), but has xtables' NFQUEUE target, which iptables-nft
    // reaches through nft_compat. Its INPUT chain is at priority 0 (filter).
    for (const [match, num] of [
      [['-p', 'icmp', '--icmp-type', 'echo-request'], 3],
      [['-p', 'udp', '--dport', '7000'], 4],
      [['-p', 'udp', '--dport', '7001'], 5],
      [['-p', 'udp', '--dport', '7002'], 6],
      // Queued until a verdict marks the packet 1.
      [['-p', 'udp', '--dport', '7004', '-m', 'mark', '!', '--mark', '0x1'], 7],
    ] as const)
      execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-A', 'INPUT', ...match, '-j', 'NFQUEUE', '--queue-num', String(num)]);
    execFileSync('ip', ['netns', 'exec', ns, 'ip6tables', '-A', 'INPUT', '-p', 'ipv6-icmp', '--icmpv6-type', 'echo-request', '-j', 'NFQUEUE', '--queue-num', '8']);
    // A rule without a target ahead of them: it only counts what enters the table.
    execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-I', 'INPUT', '1', '-p', 'udp', '--dport', '7004']);
    // What passes the queue meets these counters next.
    nft(
      ns,
      `table inet nlkit {
        chain later {
          type filter hook input priority 10; policy accept;
          udp dport 7000 meta mark 0x2a counter comment "marked"
          udp dport 7002 counter comment "passed"
          udp dport 7004 counter comment "repeated"
        }
      }`,
    );
  });
  afterAll(async () => {
    await removeNetns(ns);
  });

  it('sees every packet of a ping flood, and dropping every other one loses half the pings', async () => {
    const COUNT = 200;
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(3);
    const pinging = run('ip', ['netns', 'exec', ns, 'ping', '-f', '-c', String(COUNT), '-W', '0.5', '127.0.0.1']);
    const seen: NfqueuePacket[] = [];
    for await (const p of q) {
      if (isOverrun(p)) throw new Error('overrun');
      // Drop the first, third ... so that the last ping is answered and ping does not linger.
      if (seen.length % 2 === 0) p.drop();
      else p.accept();
      seen.push(p);
      if (seen.length === COUNT) break;
    }
    const { stdout } = await pinging;
    expect(stdout).toContain(`${COUNT} packets transmitted, ${COUNT / 2} received, 50% packet loss`);
    expect(seen).toHaveLength(COUNT);
    expect(new Set(seen.map((p) => p.id)).size).toBe(COUNT);
    expect(seen[0]).toMatchObject({ queue: 3, family: 'ipv4', hook: 'input', hwProtocol: 0x0800, indev: 1, mark: 0 });
    // An ICMP echo request: protocol 1, type 8.
    const ip = seen[0]!.payload!;
    expect([ip[9], ip[udpPayloadAt(ip) - 8]]).toEqual([1, 8]);
    expect(seen.map((p) => p.verdict)).toEqual(seen.map((_, i) => (i % 2 === 0 ? 'drop' : 'accept')));
  });

  it('queues IPv6 packets too: family ipv6, ETH_P_IPV6, the IPv6 header in the payload', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(8);
    const pinging = run('ip', ['netns', 'exec', ns, 'ping', '-6', '-c', '3', '-i', '0.01', '::1']);
    const seen: NfqueuePacket[] = [];
    for await (const p of q) {
      if (isOverrun(p)) continue;
      p.accept();
      seen.push(p);
      if (seen.length === 3) break;
    }
    expect((await pinging).stdout).toContain('3 packets transmitted, 3 received');
    expect(seen.map((p) => [p.family, p.hook, p.hwProtocol, p.payload![0]! >> 4, p.payload![6]])).toEqual(Array(3).fill(['ipv6', 'input', 0x86dd, 6, 58]));
  });

  it('refuses a second verdict on a packet, and a verdict after the queue closed, with clear errors', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(4);
    const sent = udpSend(ns, 7000, ['once']);
    let packet: NfqueuePacket | undefined;
    let twice: unknown;
    for await (const p of q) {
      if (isOverrun(p)) continue;
      packet = p;
      // Bad verdict arguments are refused before anything is sent, and give no verdict.
      expect(() => p.accept({ mark: -1 })).toThrow(RangeError);
      expect(() => p.accept({ mark: -1 })).toThrow(/^mark: /);
      expect(() => p.accept({ payload: 'bytes' as never })).toThrow(new TypeError("payload: expected a Uint8Array, got 'bytes'"));
      expect(() => p.setMark(2 ** 32)).toThrow(/^mark: /);
      expect(p.verdict).toBeUndefined();
      p.accept();
      try {
        p.drop();
      } catch (e) {
        twice = e;
      }
      break;
    }
    await sent;
    expect(twice).toBeInstanceOf(NlkitError);
    expect((twice as NlkitError).code).toBe('ERR_NFQUEUE_VERDICT_GIVEN');
    expect((twice as Error).message).toBe(`packet ${packet!.id} of queue 4 already has a verdict (accept): a packet takes one verdict`);
    expect(packet!.verdict).toBe('accept');
    // Leaving the loop closed the queue.
    expect(() => q.verdictBatch('drop', packet!)).toThrow(new NlkitError('queue 4 is closed: the kernel dropped its waiting packets when it was unbound', 'ERR_NFQUEUE_CLOSED'));
  });

  it('gives a mark with the verdict that a later rule counts', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(4);
    const before = counter(ns, 'marked');
    const sent = udpSend(ns, 7000, ['a', 'b', 'c', 'd', 'e']);
    let n = 0;
    for await (const p of q) {
      if (isOverrun(p)) continue;
      // Two ways to give the mark: setMark() before the verdict, or the verdict's option.
      if (n % 2 === 0) p.setMark(0x2a).accept();
      else p.accept({ mark: 0x2a });
      if (++n === 5) break;
    }
    await sent;
    // The verdict reinjects the packet before sendmsg() returns: the count is final.
    expect(counter(ns, 'marked') - before).toBe(5);
  });

  it("repeats a packet: the queue rule's table runs again, and the mark the verdict gave lets the packet past the queue", async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(7);
    const [entered, repeated] = [iptablesCount(ns, 7004), counter(ns, 'repeated')];
    const sent = udpSend(ns, 7004, ['again']);
    for await (const p of q) {
      if (isOverrun(p)) continue;
      p.repeat({ mark: 1 });
      expect(p.verdict).toBe('repeat');
      break;
    }
    await sent;
    // NF_REPEAT calls the hook function that queued the packet once more
    // (nf_reinject()): the INPUT table counts the packet twice, then the
    // later chain once.
    expect([iptablesCount(ns, 7004) - entered, counter(ns, 'repeated') - repeated]).toEqual([2, 1]);
  });

  it('rewrites a payload the receiver then reads', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(5);
    const script = [
      'import socket',
      'r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      'r.bind(("127.0.0.1", 7001))',
      'r.settimeout(20)',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      's.sendto(b"hello nfqueue", ("127.0.0.1", 7001))',
      'print(r.recv(100).decode())',
    ].join('\n');
    const receiving = run('ip', ['netns', 'exec', ns, 'python3', '-c', script]);
    for await (const p of q) {
      if (isOverrun(p)) continue;
      const bytes = new Uint8Array(p.payload!); // a copy: the payload is a view into the receive buffer
      const at = udpPayloadAt(bytes);
      expect(Buffer.from(bytes.subarray(at)).toString()).toBe('hello nfqueue');
      bytes.set(Buffer.from('HELLO NFQUEUE'), at);
      bytes[at - 2] = 0; // UDP checksum 0: none (RFC 768), so the new bytes need no new sum
      bytes[at - 1] = 0;
      p.accept({ payload: bytes });
      break;
    }
    const { stdout } = await receiving;
    expect(stdout.trim()).toBe('HELLO NFQUEUE');
  });

  it('fails open when the queue is full: packets past maxLen go on unqueued', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(6, { maxLen: 2, failOpen: true });
    const before = counter(ns, 'passed');
    await udpSend(
      ns,
      7002,
      Array.from({ length: 10 }, (_, i) => `f${i}`),
    );
    await until(
      'packets past the queue',
      () => counter(ns, 'passed') - before,
      (n) => n === 8,
    );
    expect(queueStats(ns, 6)).toMatchObject({ total: 2, dropped: 0 });
    const got: string[] = [];
    for await (const p of q) {
      if (isOverrun(p)) continue;
      got.push(Buffer.from(p.payload!.subarray(udpPayloadAt(p.payload!))).toString());
      p.accept();
      if (got.length === 2) break;
    }
    expect(got).toEqual(['f0', 'f1']);
  });

  it('drops what a full queue cannot hold without failOpen, and counts the drops', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(6, { maxLen: 2 });
    const before = counter(ns, 'passed');
    await udpSend(
      ns,
      7002,
      Array.from({ length: 10 }, (_, i) => `d${i}`),
    );
    const stats = await until(
      'queue drops',
      () => queueStats(ns, 6),
      (s) => s.dropped === 8,
    );
    expect(stats.total).toBe(2);
    let n = 0;
    for await (const p of q) {
      if (isOverrun(p)) continue;
      p.accept();
      if (++n === 2) break;
    }
    expect(counter(ns, 'passed') - before).toBe(2);
  });

  it('accepts a batch with one verdict, packets not yet read included', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const q = await nfq.queue(6);
    const before = counter(ns, 'passed');
    await udpSend(ns, 7002, ['b0', 'b1', 'b2', 'b3']);
    await until(
      'queued packets',
      () => queueStats(ns, 6).total,
      (n) => n === 4,
    );
    const first = await q.next();
    const p = first.value as NfqueuePacket;
    // The ids of one queue follow each other: the fourth packet is id + 3.
    q.verdictBatch('accept', p.id + 3);
    expect(p.verdict).toBe('accept');
    await until(
      'packets past the queue',
      () => counter(ns, 'passed') - before,
      (n) => n === 4,
    );
    const rest: NfqueuePacket[] = [];
    for await (const x of q) {
      if (isOverrun(x)) continue;
      rest.push(x);
      if (rest.length === 3) break;
    }
    expect(rest.map((x) => x.verdict)).toEqual(['accept', 'accept', 'accept']);
    expect(() => rest[0]!.accept()).toThrow(/already has a verdict \(accept\)/);
  });

  it('marks in-band the packets the kernel could not hand to a full socket, and counts them as user drops', async () => {
    // A tiny receive buffer and a JS queue of one: the socket stops reading
    // after the first packet, its buffer fills, and nfnetlink_unicast() fails
    // for the rest (ENOBUFS on the socket, queue_user_dropped in the kernel).
    await using nfq = await NfqueueSocket.open({ netns: ns, rcvbuf: 1024 });
    const q = await nfq.queue(6, { maxQueue: 1 });
    const first = q.next(); // resolves with the burst's first packet
    await udpSend(
      ns,
      7002,
      Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(1200, '.')),
    );
    const stats = await until(
      'packets queued or dropped',
      () => queueStats(ns, 6),
      (s) => s.total + s.userDropped === 50,
    );
    expect(stats.userDropped).toBeGreaterThan(0);
    const delivered = stats.total;
    const items: (NfqueuePacket | 'overrun')[] = [];
    // The socket may have overflowed before it read anything: the marker can come first.
    let next = first;
    while (items.filter((x) => x !== 'overrun').length < delivered) {
      const r = await next;
      next = q.next();
      if (isOverrun(r.value)) {
        items.push('overrun');
        continue;
      }
      (r.value as NfqueuePacket).accept();
      items.push(r.value as NfqueuePacket);
    }
    expect(items).toContain('overrun');
    expect(queueStats(ns, 6)).toMatchObject({ total: 0, userDropped: stats.userDropped });
  });

  it('is usable from `nlkit ynl --spec specs/nfqueue.yaml` and specs/nflog.yaml, kernel errors included', async () => {
    const ynl = async (...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      let stdout = '';
      let stderr = '';
      const code = await main(['ynl', '-n', ns, ...argv], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, stdoutIsTTY: false });
      return { code, stdout, stderr };
    };
    expect(await ynl('--spec', 'specs/nfqueue.yaml', '--do', 'config', '--json', '{"res-id": 11, "cmd": {"command": "bind"}}')).toEqual({ code: 0, stdout: 'None\n', stderr: '' });
    // nfulnl_recv_config(): a command on a group nobody bound is ENODEV.
    const refused = await ynl('--spec', 'specs/nflog.yaml', '--do', 'config', '--json', '{"res-id": 11, "cmd": {"command": "unbind"}}');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('No such device');
  });

  it('asks for conntrack information: refused with EOPNOTSUPP by a kernel without nfnetlink glue, the queue left unbound', async () => {
    // nfqnl_recv_config() refuses NFQA_CFG_F_CONNTRACK while no nfnl_ct_hook is
    // registered, which CONFIG_NETFILTER_NETLINK_GLUE_CT provides.
    const config = existsSync('/proc/config.gz') ? gunzipSync(readFileSync('/proc/config.gz')).toString() : '';
    const glue = /^CONFIG_NETFILTER_NETLINK_GLUE_CT=y$/m.test(config);
    await using nfq = await NfqueueSocket.open({ netns: ns });
    const outcome = await nfq.queue(4, { conntrack: true }).then(
      (q) => q,
      (e: unknown) => e,
    );
    if (glue) {
      const q = outcome as Awaited<ReturnType<typeof nfq.queue>>;
      const sent = udpSend(ns, 7000, ['ct']);
      for await (const p of q) {
        if (isOverrun(p)) continue;
        expect(p.conntrack).toMatchObject({ protocol: 'udp', original: { dport: 7000 } });
        expect(p.ctInfo).toBe('new');
        p.accept();
        break;
      }
      await sent;
    } else {
      expect(outcome).toBeInstanceOf(NetlinkError);
      expect((outcome as NetlinkError).code).toBe('EOPNOTSUPP');
      expect(() => queueStats(ns, 4)).toThrow(/queue 4 is not bound/);
    }
  });

  it("writes nft's queue statement as nft does: refused with ENOENT by a kernel without it (CONFIG_NFT_QUEUE), as nft is", async () => {
    const byNft = spawnSync('ip', ['netns', 'exec', ns, 'nft', 'add rule inet nlkit later udp dport 7003 queue num 3 bypass'], { encoding: 'utf8' });
    await using nft = await NftablesClient.open({ netns: ns });
    const rule = { family: 'inet' as const, table: 'nlkit', chain: 'later', expressions: [expr('queue', { num: 3, flags: ['bypass'] })] };
    const byNlkit = await nft.addRule(rule).then(
      (r) => r,
      (e: unknown) => e,
    );
    if (byNft.status === 0) {
      expect(byNlkit).toMatchObject({ expressions: [{ name: 'queue', data: { num: 3, flags: ['bypass'] } }] });
    } else {
      // nft: "Error: Could not process rule: No such file or directory".
      expect(byNft.stderr).toContain('Could not process rule: No such file or directory');
      expect(byNlkit).toBeInstanceOf(NetlinkError);
      expect((byNlkit as NetlinkError).code).toBe('ENOENT');
    }
  });

  it('checks arguments before anything is sent, naming the field', async () => {
    await using nfq = await NfqueueSocket.open({ netns: ns });
    await expect(nfq.queue(70000)).rejects.toThrow(new RangeError('num: 70000 is out of range 0..65535'));
    await expect(nfq.queue(7, { copyMode: 'all' as never })).rejects.toThrow(/^copyMode: /);
    await expect(nfq.queue(7, { maxLen: 0 })).rejects.toThrow(RangeError);
    await expect(nfq.queue(7, { maxLen: 0 })).rejects.toThrow(/^maxLen: /);
    await expect(nfq.queue(7, { failOpen: 'yes' as never })).rejects.toThrow(TypeError);
    await expect(nfq.queue(7, { failOpen: 'yes' as never })).rejects.toThrow(/^failOpen\b/);
    // None of them bound the queue.
    expect(() => queueStats(ns, 7)).toThrow(/queue 7 is not bound/);
    await expect(nfq.queue(7, { copyRange: 0 })).rejects.toThrow(/^copyRange: /);
  });
});
