// sock_diag without root: the captured replies of each socket family decode
// to exact values, SockDiagClient sends the captured requests byte for byte
// and streams what a fake kernel answers, filters compile to the bytecode ss
// builds, and bad input fails before anything is sent.
import { afterEach, describe, expect, it } from 'vitest';
import { NLM_F_DUMP, Protocol } from '../../../src/core/constants.js';
import { MessageView } from '../../../src/core/message.js';
import { NetlinkError } from '../../../src/core/errors.js';
import { family as inet } from '../../../src/families/generated/sock-diag-inet.js';
import { family as unix } from '../../../src/families/generated/sock-diag-unix.js';
import { family as netlink } from '../../../src/families/generated/sock-diag-netlink.js';
import { family as packet } from '../../../src/families/generated/sock-diag-packet.js';
import {
  SockDiagClient,
  compileFilter,
  formatAddress,
  matchFilter,
  parseAddress,
  toInetSocket,
  toNetlinkSocket,
  toPacketSocket,
  toUnixSocket,
  type SockFilter,
} from '../../../src/families/sockdiag/index.js';
import { Renderer, COL } from '../../../src/cli/ss/render.js';
import { formatG } from '../../../src/cli/ss/names.js';
import { FakeKernel, type FakeRequest } from '../../../src/testing/index.js';
import { fromHex, toHex } from '../../vectors/hex.js';
import * as v from '../../vectors/sockdiag.js';

const view = (b: Uint8Array): MessageView => MessageView.from(b);
const SOCK_DIAG_BY_FAMILY = 20;
const SOCK_DESTROY = 21;

describe('sock_diag replies', () => {
  it('decode an IPv4 TCP socket with tcp_info, congestion, memory and socket options', () => {
    const s = toInetSocket(inet.ops.sock.decodeReply(view(v.INET_TCP_ESTABLISHED_CLIENT)), 6);
    expect(s).toMatchObject({
      family: 'inet',
      protocol: 6,
      state: 'established',
      src: '127.0.0.1',
      dst: '127.0.0.1',
      sport: 40000,
      dport: 8080,
      ifindex: 0,
      cookie: 4314n,
      rqueue: 0,
      wqueue: 0,
      uid: 0,
      inode: 2653318,
      congestion: 'bbr',
      tos: 0,
      shutdown: 0,
      cgroupId: 1n,
      sockopt: ['is-icsk', 'mc-loop', 'mc-all'],
      queueMemory: { rmem: 0, wmem: 0, fmem: 0, tmem: 0 },
      memory: { rmemAlloc: 0, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 3939840, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: 0 },
    });
    expect(s.tcpInfo).toMatchObject({
      state: 'established',
      options: 7,
      sndWscale: 10,
      rcvWscale: 10,
      deliveryRateAppLimited: true,
      fastopenClientFail: 0,
      rto: 204000,
      sndMss: 32768,
      rtt: 27,
      rttvar: 15,
      sndCwnd: 11,
      pacingRate: 31189637476n,
      maxPacingRate: 0xffffffffffffffffn,
      bytesAcked: 101n,
      bytesSent: 100n,
      deliveryRate: 5461333333n,
      sndWnd: 65536,
      rcvWnd: 65536,
      totalRtoTime: 0,
    });
  });

  it('decode an IPv6 listener and an unconnected UDP socket', () => {
    const l = toInetSocket(inet.ops.sock.decodeReply(view(v.INET6_TCP_LISTEN)), 6);
    expect(l).toMatchObject({ family: 'inet6', state: 'listen', src: '::1', dst: '::', sport: 9000, dport: 0, wqueue: 5, v6only: true, cookie: 4316n });
    expect(l.tcpInfo).toBeUndefined();
    const u = toInetSocket(inet.ops.sock.decodeReply(view(v.INET_UDP_UNCONNECTED)), 17);
    expect(u).toMatchObject({ family: 'inet', protocol: 17, state: 'close', src: '0.0.0.0', sport: 53, inode: 2653321 });
  });

  it('decode unix sockets: name, pending connections, vfs inode, queues, memory', () => {
    const l = toUnixSocket(unix.ops.sock.decodeReply(view(v.UNIX_STREAM_LISTEN)));
    expect(l).toMatchObject({
      type: 'stream',
      state: 'listen',
      inode: 2653322,
      name: '/tmp/nlkit-cap.sock',
      pending: [2653323],
      vfs: { ino: 2146775, dev: 266338304 },
      rqueue: 1,
      wqueue: 1,
      uid: 0,
    });
    const c = toUnixSocket(unix.ops.sock.decodeReply(view(v.UNIX_STREAM_CLIENT)));
    expect(c).toMatchObject({ type: 'stream', state: 'established', inode: 2653323, peer: 0 });
    expect(c.name).toBeUndefined();
  });

  it('show an abstract unix name with its 0 bytes as @, as ss does', () => {
    const s = toUnixSocket({ ...unix.ops.sock.decodeReply(view(v.UNIX_STREAM_LISTEN)), name: new TextEncoder().encode('\0abc\0d') });
    expect(s.name).toBe('@abc@d');
  });

  it('decode netlink and packet sockets', () => {
    expect(toNetlinkSocket(netlink.ops.sock.decodeReply(view(v.NETLINK_SOCK_DIAG_KERNEL)))).toMatchObject({
      protocol: 4,
      type: 'dgram',
      portid: 0,
      inode: 2652757,
      flags: [],
    });
    expect(toNetlinkSocket(netlink.ops.sock.decodeReply(view(v.NETLINK_SOCK_DIAG_USER)))).toMatchObject({
      protocol: 4,
      type: 'raw',
      portid: 24230,
      flags: ['cb-running', 'pktinfo', 'cap-ack'],
      memory: { rmemAlloc: 33024, rcvbuf: 67108864 },
    });
    expect(toPacketSocket(packet.ops.sock.decodeReply(view(v.PACKET_RAW_ARP)))).toMatchObject({
      type: 'raw',
      protocol: 0x0806,
      inode: 2653324,
      info: { ifindex: 1, flags: ['running'] },
      uid: 0,
    });
  });

  it('read an inet socket the destroy groups report by its message type alone', () => {
    const m = inet.decode(view(v.INET_TCP_ESTABLISHED_SERVER));
    expect(m.name).toBe('sock');
    expect(unix.decode(view(v.UNIX_STREAM_LISTEN)).name).toBe('sock');
    expect(inet.decodeRequest(view(v.INET_DIAG_REQUEST)).name).toBe('get');
  });
});

describe('SockDiagClient on a fake kernel', () => {
  const kernels: FakeKernel[] = [];
  afterEach(() => {
    kernels.length = 0;
  });

  async function open(answer: (req: FakeRequest) => void): Promise<{ sd: SockDiagClient; kernel: FakeKernel }> {
    const kernel = new FakeKernel({ handler: answer });
    kernels.push(kernel);
    const socket = await kernel.open(Protocol.SOCK_DIAG);
    return { sd: await SockDiagClient.open({ socket }), kernel };
  }

  const body = (b: Uint8Array): Uint8Array => b.subarray(16);

  it('sends the captured inet request and decodes the dump', async () => {
    const { sd, kernel } = await open((req) =>
      req.dump([
        { type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET_TCP_ESTABLISHED_CLIENT) },
        { type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET_TCP_ESTABLISHED_SERVER) },
      ]),
    );
    const list = await sd.inetAll({ family: 'inet', protocol: 'tcp', states: ['established'], extensions: ['meminfo', 'info', 'cong', 'tos', 'skmeminfo', 'shutdown'] });
    expect(kernel.requests).toHaveLength(1);
    expect(kernel.requests[0]!.type).toBe(SOCK_DIAG_BY_FAMILY);
    expect(kernel.requests[0]!.flags & NLM_F_DUMP).toBe(NLM_F_DUMP);
    expect(toHex(kernel.requests[0]!.payload)).toBe(toHex(body(v.INET_DIAG_REQUEST)));
    expect(list.map((s) => `${s.src}:${s.sport} ${s.dst}:${s.dport}`)).toEqual(['127.0.0.1:40000 127.0.0.1:8080', '127.0.0.1:8080 127.0.0.1:40000']);
  });

  it('dumps IPv4 then IPv6 when no family is given, keeping each dump to its family', async () => {
    const { sd, kernel } = await open((req) =>
      req.dump(req.payload[0] === 2 ? [{ type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET_UDP_UNCONNECTED) }] : [{ type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET6_TCP_LISTEN) }]),
    );
    const list = await sd.inetAll({ protocol: 'tcp', states: ['listen'] });
    expect(kernel.requests.map((r) => r.payload[0])).toEqual([2, 10]);
    expect(toHex(kernel.requests[1]!.payload)).toBe(toHex(body(v.INET_DIAG_REQUEST_2)));
    expect(list.map((s) => s.family)).toEqual(['inet', 'inet6']);
  });

  it('sends the captured unix and netlink requests', async () => {
    const { sd, kernel } = await open((req) =>
      req.dump(
        req.payload[0] === 1
          ? [
              { type: SOCK_DIAG_BY_FAMILY, payload: body(v.UNIX_STREAM_CLIENT) },
              { type: SOCK_DIAG_BY_FAMILY, payload: body(v.UNIX_STREAM_LISTEN) },
            ]
          : [{ type: SOCK_DIAG_BY_FAMILY, payload: body(v.NETLINK_SOCK_DIAG_KERNEL) }],
      ),
    );
    const unix = await sd.unixAll({ states: ['listen', 'established'], memory: true, details: true, uid: true });
    expect(toHex(kernel.requests[0]!.payload)).toBe(toHex(body(v.UNIX_DIAG_REQUEST)));
    expect(unix.map((u) => u.state)).toEqual(['established', 'listen']);
    const nl = await sd.netlinkAll({ protocol: 4, memory: true });
    expect(toHex(kernel.requests[1]!.payload)).toBe(toHex(body(v.NETLINK_DIAG_REQUEST)));
    expect(nl.map((n) => n.inode)).toEqual([2652757]);
  });

  it('sends a port filter as INET_DIAG_REQ_BYTECODE and applies it to what comes back', async () => {
    const { sd, kernel } = await open((req) =>
      req.dump([
        { type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET_TCP_ESTABLISHED_CLIENT) },
        { type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET_TCP_ESTABLISHED_SERVER) },
      ]),
    );
    const list = await sd.inetAll({ family: 'inet', filter: { type: 'dport', op: 'eq', port: 8080 } });
    const req = inet.ops.get.decodeRequest(kernel.requests[0]!);
    expect(toHex(req.bytecode!)).toBe(toHex(compileFilter({ type: 'dport', op: 'eq', port: 8080 })));
    // The fake ignores the program: the client's own check keeps only the matching socket.
    expect(list.map((s) => s.dport)).toEqual([8080]);
  });

  it('destroys a listed socket with SOCK_DESTROY naming its sockid and cookie', async () => {
    const { sd, kernel } = await open((req) => (req.type === SOCK_DESTROY ? req.ack(0) : req.dump([{ type: SOCK_DIAG_BY_FAMILY, payload: body(v.INET_TCP_ESTABLISHED_CLIENT) }])));
    const [s] = await sd.inetAll({ family: 'inet' });
    await sd.destroy(s!);
    const d = kernel.requests[1]!;
    expect(d.type).toBe(SOCK_DESTROY);
    const msg = inet.ops.destroy.decodeRequest(d);
    expect(msg['sdiag-family']).toBe(2);
    expect(msg['sdiag-protocol']).toBe(6);
    expect(msg.id).toMatchObject({ sport: 40000, dport: 8080, if: 0, cookie: 4314n });
    expect(toHex(msg.id!.src!)).toBe(toHex(fromHex('7f 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00')));
  });

  it('rejects a refused destroy with the kernel’s errno', async () => {
    const { sd } = await open((req) => req.ack(95));
    const err = await sd.destroy({ protocol: 'udp', src: '::1', dst: '::', sport: 5353, dport: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EOPNOTSUPP');
  });

  it('refuses bad input before sending anything', async () => {
    const { sd, kernel } = await open((req) => req.dump([]));
    await expect(sd.inetAll({ protocol: 'tcpp' as 'tcp' })).rejects.toThrow(
      new RangeError("query.protocol: unknown protocol 'tcpp' (known: tcp, udp, dccp, sctp, udplite, raw, mptcp)"),
    );
    await expect(sd.inetAll({ states: ['listening' as 'listen'] })).rejects.toThrow(RangeError);
    await expect(sd.inetAll({ family: 'inet4' as 'inet' })).rejects.toThrow(new RangeError("query.family: expected 'inet' or 'inet6', got 'inet4'"));
    await expect(sd.inetAll({ extensions: ['mark' as 'info'] })).rejects.toThrow(RangeError);
    await expect(sd.inetAll({ filter: { type: 'sport', op: 'eq', port: 70000 } })).rejects.toThrow(new RangeError('query.filter.port: expected a port 0..65535, got 70000'));
    await expect(sd.destroy({ protocol: 'tcp', src: '10.0.0.1', dst: 'nope', sport: 1, dport: 2 })).rejects.toThrow(
      new RangeError("socket.dst: expected an IPv4 or IPv6 address, got 'nope'"),
    );
    await expect(sd.destroy({ protocol: 'tcp', src: '10.0.0.1', dst: '::1', sport: 1, dport: 2 })).rejects.toThrow(RangeError);
    expect(kernel.requests).toHaveLength(0);
  });
});

describe('the specs', () => {
  it('load in nlkit ynl, a request and a reply operation each', async () => {
    const { runYnl } = await import('../../../src/cli/ynl.js');
    const out: Record<string, string> = {};
    for (const name of ['inet', 'unix', 'netlink', 'packet']) {
      let text = '';
      const code = await runYnl(['--spec', `specs/sock-diag-${name}.yaml`, '--list-ops'], {
        stdout: (t) => void (text += t),
        stderr: (t) => void (text += t),
        env: {},
        stdoutIsTTY: false,
      });
      expect(code).toBe(0);
      out[name] = text;
    }
    expect(out).toEqual({
      inet: 'get  [ do, dump ]\ndestroy  [ do ]\ntcpdiag-get  [ dump ]\ndccpdiag-get  [ dump ]\n',
      unix: 'get  [ dump ]\n',
      netlink: 'get  [ dump ]\n',
      packet: 'get  [ dump ]\n',
    });
  });
});

describe('nlkit ss', () => {
  it('is dispatched by nlkit and answers -V as ss 6.1 does', async () => {
    const { main } = await import('../../../src/cli/main.js');
    let out = '';
    expect(await main(['ss', '-V'], { stdout: (t) => void (out += t), stderr: () => {} })).toBe(0);
    expect(out).toBe('ss utility, iproute2-6.1.0\n');
  });

  it('refuses an unknown option with getopt’s line, ss’s usage and status 255', async () => {
    const { runSs } = await import('../../../src/cli/ss/index.js');
    let err = '';
    expect(await runSs(['-y'], { stdout: () => {}, stderr: (t) => void (err += t), env: {}, stdoutIsTTY: false })).toBe(255);
    expect(err.split('\n').slice(0, 2)).toEqual(["ss: invalid option -- 'y'", 'Usage: ss [ OPTIONS ]']);
  });
});

describe('filters', () => {
  // The programs ssfilter_bytecompile() (iproute2 misc/ss.c) builds for the same expressions.
  const cases: Array<[string, SockFilter, string]> = [
    ['sport = :22', { type: 'sport', op: 'eq', port: 22 }, '07 10 14 00 00 00 00 00 16 00 00 00 00 00 00 00'],
    ['dport > :1024', { type: 'dport', op: 'gt', port: 1024 }, '05 08 0c 00 00 00 00 04 01 04 08 00'],
    ['sport < :1024', { type: 'sport', op: 'lt', port: 1024 }, '02 08 0c 00 00 00 00 04 01 04 08 00'],
    ['dport != :53', { type: 'dport', op: 'ne', port: 53 }, '08 10 14 00 00 00 00 00 35 00 00 00 00 00 00 00 01 04 08 00'],
    [
      'sport = :22 or dport = :22',
      { type: 'or', left: { type: 'sport', op: 'eq', port: 22 }, right: { type: 'dport', op: 'eq', port: 22 } },
      '07 10 14 00 00 00 00 00 16 00 00 00 00 00 00 00 01 04 14 00 08 10 14 00 00 00 00 00 16 00 00 00 00 00 00 00',
    ],
    [
      'sport >= :1 and sport <= :2',
      { type: 'and', left: { type: 'sport', op: 'ge', port: 1 }, right: { type: 'sport', op: 'le', port: 2 } },
      '02 08 14 00 00 00 01 00 03 08 0c 00 00 00 02 00',
    ],
    ['src 10.0.0.0/8', { type: 'src', address: '10.0.0.0/8' }, '07 10 14 00 02 08 00 00 ff ff ff ff 0a 00 00 00'],
    ['dst [::1]:9000', { type: 'dst', address: '::1', port: 9000 }, '08 1c 20 00 0a 80 00 00 28 23 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01'],
    ['fwmark = 0x10/0xff', { type: 'mark', mark: 0x10, mask: 0xff }, '0a 0c 10 00 10 00 00 00 ff 00 00 00'],
  ];
  for (const [text, f, hex] of cases) {
    it(`compile ${text} as ss does`, () => {
      expect(toHex(compileFilter(f))).toBe(hex);
    });
  }

  it('match sockets the way ss checks them', () => {
    const a = (t: string): { v6: boolean; bytes: Uint8Array } => parseAddress(t)!;
    const s = { lport: 22, rport: 40002, local: a('::ffff:10.1.2.3'), remote: a('::1'), mark: 0x1234 };
    expect(matchFilter({ type: 'src', address: '10.0.0.0/8' }, s)).toBe(true);
    expect(matchFilter({ type: 'src', address: '10.0.0.0/8', port: 23 }, s)).toBe(false);
    expect(matchFilter({ type: 'dst', address: '::1' }, s)).toBe(true);
    expect(matchFilter({ type: 'not', expr: { type: 'sport', op: 'le', port: 21 } }, s)).toBe(true);
    expect(matchFilter({ type: 'mark', mark: 0x34, mask: 0xff }, s)).toBe(true);
    expect(matchFilter({ type: 'and', left: { type: 'dport', op: 'ge', port: 40000 }, right: { type: 'dport', op: 'lt', port: 40002 } }, s)).toBe(false);
  });
});

describe('addresses as inet_ntop writes them', () => {
  const cases: Array<[string, string]> = [
    ['00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01', '::1'],
    ['00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00', '::'],
    ['20 01 0d b8 00 00 00 00 00 01 00 00 00 00 00 01', '2001:db8::1:0:0:1'],
    ['20 01 0d b8 00 00 00 01 00 00 00 00 00 00 00 01', '2001:db8:0:1::1'],
    ['fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00', 'fe80::'],
    ['00 00 00 00 00 00 00 00 00 00 ff ff 0a 01 02 03', '::ffff:10.1.2.3'],
    ['20 01 0d b8 00 01 00 01 00 01 00 01 00 01 00 01', '2001:db8:1:1:1:1:1:1'],
    ['20 01 00 00 0d b8 00 00 00 00 00 00 00 00 00 01', '2001:0:db8::1'],
  ];
  for (const [hex, text] of cases) {
    it(`writes ${text}`, () => {
      expect(formatAddress(fromHex(hex), true)).toBe(text);
      expect(toHex(parseAddress(text)!.bytes)).toBe(hex);
    });
  }
});

describe('the ss column layout for a pipe', () => {
  it('measures every field but the last, aligns addresses right and pads the rest', () => {
    const r = new Renderer();
    r.disable(COL.netid);
    r.header();
    for (const [state, addr, port] of [
      ['LISTEN', '0.0.0.0:', '22'],
      ['ESTAB', '[::1]:', '40001'],
    ] as const) {
      r.set(COL.state);
      r.out(state);
      r.set(COL.recvq);
      r.out('0     ');
      r.set(COL.sendq);
      r.out('0     ');
      r.set(COL.addr);
      r.out(addr);
      r.next();
      r.out(port);
      r.next();
      r.out('*:');
      r.next();
      r.out('*');
      r.next();
    }
    expect(r.render()).toBe(
      [
        'State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess',
        'LISTEN 0      0            0.0.0.0:22               *:*          ',
        'ESTAB  0      0              [::1]:40001            *:*          ',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing when nothing was written', () => {
    expect(new Renderer().render()).toBe('');
  });

  it('writes figures as printf %g does', () => {
    expect([0.027, 204, 1.5, 100000, 1234567, 0.00001234, 12.3456789].map((x) => formatG(x))).toEqual(['0.027', '204', '1.5', '100000', '1.23457e+06', '1.234e-05', '12.3457']);
    expect(formatG((31189637476 * 8) / 1e9, 3)).toBe('250');
  });
});
