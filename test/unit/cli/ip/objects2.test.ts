// Printers of ip objects this kernel cannot answer for, with hand-built
// messages (layouts of include/uapi/linux/rtnetlink.h and fib_rules.h):
// multicast routes (RTM_NEWROUTE / RTM_DELROUTE of RTNL_FAMILY_IPMR and
// RTNL_FAMILY_IP6MR) and multicast rules. The expected text is what iproute2
// 6.1 printed for the same bytes with `ip [-s|-d|-o -s] monitor file F`
// (ipmonitor.c hands these families to print_mroute() and print_rule());
// JSON, which ip's monitor does not print, follows ipmroute.c's
// print_*(PRINT_ANY / PRINT_JSON) calls.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC, NLM_F_ACK } from '../../../../src/core/constants.js';
import { MessageView } from '../../../../src/core/message.js';
import { IpContext, type IpOptions } from '../../../../src/cli/ip/context.js';
import { MrouteDumpError, mrouteDumpRequest, printMroute, type MrouteFilter } from '../../../../src/cli/ip/mroute.js';
import { printRule } from '../../../../src/cli/ip/rule.js';
import { GENL_REPLIES, L2TP, MROUTE } from '../../../vectors/ip-objects2.js';
import { ioamRequest, parseIoam } from '../../../../src/cli/ip/ioam.js';
import { printSr, srRequest } from '../../../../src/cli/ip/sr.js';
import { fouRequest, fouShowRequest, parseFou, printFou } from '../../../../src/cli/ip/fou.js';
import { applyReply, createSessionRequest, createTunnelRequest, deleteRequest, newParm, parseL2tp, printSession, printTunnel, showRequest } from '../../../../src/cli/ip/l2tp.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const V = MROUTE;
const V2 = L2TP;

function context(o: Partial<IpOptions> = {}): { ctx: IpContext; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const ctx = new IpContext(
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
    { json: false, pretty: false, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false, ...o },
  );
  return {
    ctx,
    out: () => {
      ctx.flush();
      return out;
    },
    err: () => err,
  };
}

/** ip monitor's filter: none. */
const NO_FILTER: MrouteFilter = { tb: 0, af: 0, iif: 0 };

/** Prints each message as one item of a listing. */
function mroutes(names: (keyof typeof V)[], o: Partial<IpOptions> = {}, f = NO_FILTER): string {
  const { ctx, out } = context(o);
  for (const n of names) {
    const p = ctx.printer();
    if (printMroute(ctx, p, MessageView.from(hex(V[n])), f)) ctx.listItem(p);
  }
  ctx.listEnd();
  return out();
}

function rules(names: (keyof typeof V)[], o: Partial<IpOptions> = {}): string {
  const { ctx, out } = context(o);
  for (const n of names) {
    const p = ctx.printer();
    printRule(p, MessageView.from(hex(V[n])), ctx);
    ctx.listItem(p);
  }
  ctx.listEnd();
  return out();
}

describe('ip mroute printing (print_mroute) with hand-built messages', () => {
  it('prints entries as ip prints them', () => {
    expect(mroutes(['ipmrResolved'])).toBe('(10.0.0.1,239.1.1.1)             Iif: if7001     Oifs: if7002 if7003(ttl 3)  State: resolved Table: default\n');
    expect(mroutes(['ipmrUnresolved'])).toBe('(192.0.2.7,232.0.0.9)            Iif: unresolved  State: unresolved\n');
    expect(mroutes(['ip6mrDeleted'])).toBe('Deleted (unknown,ff0e::1)                Iif: if7001     Oifs: if7004(ttl 2)  State: resolved offload Table: 9\n');
  });

  it('prints counters and age with -s, joined by a backslash with -o, and table main with -d', () => {
    expect(mroutes(['ipmrResolved'], { stats: 1 })).toBe(
      '(10.0.0.1,239.1.1.1)             Iif: if7001     Oifs: if7002 if7003(ttl 3)  State: resolved\n  5 packets, 640 bytes, 2 arrived on wrong iif., Age 123.45 Table: default\n',
    );
    expect(mroutes(['ipmrResolved'], { stats: 1, oneline: true })).toBe(
      '(10.0.0.1,239.1.1.1)             Iif: if7001     Oifs: if7002 if7003(ttl 3)  State: resolved\\  5 packets, 640 bytes, 2 arrived on wrong iif., Age 123.45 Table: default\n',
    );
    expect(mroutes(['ipmrUnresolved'], { stats: 1 })).toBe('(192.0.2.7,232.0.0.9)            Iif: unresolved  State: unresolved\n  0 packets, 0 bytes, Age 0.07\n');
    expect(mroutes(['ipmrUnresolved'], { details: 1 })).toBe('(192.0.2.7,232.0.0.9)            Iif: unresolved  State: unresolved Table: main\n');
    expect(mroutes(['ip6mrDeleted'], { stats: 1 })).toBe(mroutes(['ip6mrDeleted']));
  });

  it('prints JSON with the keys of ipmroute.c', () => {
    expect(JSON.parse(mroutes(['ipmrResolved', 'ipmrUnresolved', 'ip6mrDeleted'], { json: true, stats: 1 }))).toEqual([
      {
        src: '10.0.0.1',
        dst: '239.1.1.1',
        iif: 'if7001',
        multipath: [{ oif: 'if7002' }, { oif: 'if7003', ttl: 3 }],
        state: 'resolved',
        packets: 5,
        bytes: 640,
        wrong_if: 2,
        expires: 123.45,
        table: 'default',
      },
      { src: '192.0.2.7', dst: '232.0.0.9', iif: 'unresolved', state: 'unresolved', packets: 0, bytes: 0, expires: 0.07 },
      { deleted: true, src: 'unknown', dst: 'ff0e::1', iif: 'if7001', multipath: [{ oif: 'if7004', ttl: 2 }], state: 'resolved', offload: null, table: '9' },
    ]);
  });

  it('filters as mroute_list() does: the table asked for (then no Table:), the family, the iif', () => {
    const ipv4 = { tb: 253, af: 128, iif: 0 };
    expect(mroutes(['ipmrResolved', 'ipmrUnresolved', 'ip6mrDeleted'], {}, ipv4)).toBe(
      '(10.0.0.1,239.1.1.1)             Iif: if7001     Oifs: if7002 if7003(ttl 3)  State: resolved\n',
    );
    expect(mroutes(['ipmrResolved', 'ipmrUnresolved', 'ip6mrDeleted'], {}, { tb: 0, af: 129, iif: 0 })).toBe(mroutes(['ip6mrDeleted']));
    expect(mroutes(['ipmrResolved', 'ipmrUnresolved', 'ip6mrDeleted'], {}, { tb: 0, af: 0, iif: 7001 })).toBe(mroutes(['ipmrResolved', 'ip6mrDeleted']));
  });

  it('ends the dump on a route that is not multicast, and skips messages that are not routes, as ip does', () => {
    const unicast = hex(V.ipmrUnresolved);
    unicast[16 + 7] = 1; // rtm_type RTN_UNICAST
    const { ctx, err } = context();
    expect(() => printMroute(ctx, ctx.printer(), MessageView.from(unicast), NO_FILTER)).toThrow(
      new MrouteDumpError('Non multicast route received, kernel does support IP multicast?'),
    );
    const rule = MessageView.from(hex(V.ipmrRule));
    expect(printMroute(ctx, ctx.printer(), rule, NO_FILTER)).toBe(false);
    expect(err()).toBe('Not a multicast route: 00000040 00000020 00000002\n');
  });

  it('asks for the dump as rtnl_routedump_req() does (RTA_TABLE only with a table)', () => {
    const { ctx } = context();
    const body = (b: Uint8Array): string =>
      Buffer.from(b.subarray(4))
        .toString('hex')
        .replace(/^(.{4})(.{4})(.{8})/, '$1$2--------');
    expect(body(mrouteDumpRequest(ctx, { tb: 253, af: 128, iif: 0 }))).toBe(
      body(hex('24000000' + '1a000103' + '00000000' + '00000000' + '800000000000000000000000' + '08000f00fd000000')),
    );
    expect(body(mrouteDumpRequest(ctx, { tb: 0, af: 129, iif: 0 }))).toBe(body(hex('1c000000' + '1a000103' + '00000000' + '00000000' + '810000000000000000000000')));
  });
});

describe('ip mrule printing (print_rule) with hand-built messages', () => {
  it('prints multicast rules as ip prints them ("???" addresses, every prefix length)', () => {
    expect(rules(['ipmrRule', 'ipmrRuleDefault', 'ip6mrRuleHost'])).toBe(
      '100:\tfrom ???/8 iif eth9 lookup 5\n32767:\tfrom all lookup default\nDeleted 7:\tfrom ???/128 lookup 1000\n',
    );
  });
});

// ---- generic netlink objects: requests as ip sends them, replies as ip prints them ----

/** Requests ip 6.1 sent (captured with strace in a scratch namespace; SEG6 had id 0x1d, IOAM6 0x1e; rtnl_talk() had added NLM_F_ACK). */
const IP_SENT = {
  'ioam namespace add 4 data 7 wide ff': '300000001e000500000000000000000001010000060001000400000008000200070000000c000300ff00000000000000',
  'ioam namespace add 5 wide 0123456789abcdef': '280000001e00050000000000000000000101000006000100050000000c000300efcdab8967452301',
  'ioam schema add 10 hello': '280000001e000500000000000000000004010000080004000a0000000900050068656c6c6f000000',
  'ioam namespace set 4 schema 10': '240000001e0005000000000000000000070100000600010004000000080004000a000000',
  'ioam namespace set 4 schema none': '200000001e000500000000000000000007010000060001000400000004000600',
  'ioam namespace del 5': '1c0000001e0005000000000000000000020100000600010005000000',
  'ioam schema del 10': '1c0000001e000500000000000000000005010000080004000a000000',
  'sr tunsrc set 2001:db8::7': '280000001d0005000000000000000000030100001400010020010db8000000000000000000000007',
  'sr hmac set 5 sha256': '380000001d0005000000000000000000010100000800030005000000050005000700000005000600020000000b0004007365637265743100',
  'sr hmac set 5 sha1': '2c0000001d000500000000000000000001010000080003000500000005000500000000000500060001000000',
} as const;

/** What nlkit builds, with the NLM_F_ACK its socket adds to a request that expects no reply. */
function withAck(b: Uint8Array): string {
  const out = b.slice();
  new DataView(out.buffer).setUint16(6, new DataView(out.buffer).getUint16(6, true) | NLM_F_ACK, true);
  return Buffer.from(out).toString('hex');
}

describe('ip ioam and ip sr requests', () => {
  it.each(Object.entries(IP_SENT).filter(([line]) => line.startsWith('ioam')))('builds "ip %s" as ip does', (line, want) => {
    expect(withAck(ioamRequest(0x1e, parseIoam(line.split(' ').slice(1))))).toBe(want);
  });

  it('builds the sr requests as ip does (the secret as getpass() read it)', () => {
    expect(withAck(srRequest(0x1d, { cmd: 3, addr: Uint8Array.from(Buffer.from('20010db8000000000000000000000007', 'hex')) }))).toBe(IP_SENT['sr tunsrc set 2001:db8::7']);
    expect(withAck(srRequest(0x1d, { cmd: 1, keyid: 5, algId: 2 }, 'secret1'))).toBe(IP_SENT['sr hmac set 5 sha256']);
    expect(withAck(srRequest(0x1d, { cmd: 1, keyid: 5, algId: 1 }, ''))).toBe(IP_SENT['sr hmac set 5 sha1']);
    // get-tunsrc: NLM_F_REQUEST only, as ip sends it (rtnl_talk() with an answer adds no ACK).
    expect(Buffer.from(srRequest(0x1d, { cmd: 4 })).toString('hex')).toBe('140000001d000100000000000000000004010000');
  });

  it('prints an HMAC key as ipseg6.c does', () => {
    // dumphmac reply in seg6_genl_dumphmac_element()'s order: hmackeyid 5, secretlen 7, secret "secret1", algid sha256.
    const hmac = MessageView.from(hex(GENL_REPLIES.hmac));
    const { ctx, out } = context();
    const p = ctx.printer();
    printSr(p, hmac);
    ctx.print(p.output);
    expect(out()).toBe('hmac 5 algo sha256 secret "secret1"\n');
    const j = context({ json: true });
    const q = j.ctx.printer();
    printSr(q, hmac);
    j.ctx.listItem(q);
    j.ctx.listEnd();
    expect(j.out()).toBe('[{"hmac":5,"algo":"sha256","secret":"secret1"}]\n');
  });
});

describe('ip fou with hand-built messages (this kernel has no fou)', () => {
  // Derived from ipfou.c: GENL_REQUEST (version 1), then fou_parse_opt()'s attributes in its order.
  const FOU_ADD4 = '4c0000001d0001000000000000000000010100000600010015b30000050004000100000005000200020000000500030004000000080006000a000001080008000a00000206000a001a0a0000';
  const FOU_DEL6 = '480000001d000100000000000000000002010000060001001e6100000500040002000000050002000a0000001400070020010db800000000000000000000000108000b00591b0000';

  it('builds add and del as ip would send them', async () => {
    const lookup = (name: string): Promise<number> => Promise.resolve(name === 'eth7' ? 7001 : 0);
    const add = await parseFou('port 5555 ipproto ipencap local 10.0.0.1 peer 10.0.0.2 peer_port 6666'.split(' '), true, AF_UNSPEC, lookup);
    expect(Buffer.from(fouRequest(0x1d, 1, add)).toString('hex')).toBe(FOU_ADD4);
    const del = await parseFou('port 7777 -6 gue local 2001:db8::1 dev eth7'.split(' '), false, AF_UNSPEC, lookup);
    expect(Buffer.from(fouRequest(0x1d, 2, del)).toString('hex')).toBe(FOU_DEL6);
    // fou_parse_opt() gives up without attributes, and ip sends the request anyway.
    const bare = await parseFou(['gue'], true, AF_UNSPEC, lookup);
    expect(bare.problem).toBe('fou: missing port');
    expect(Buffer.from(fouRequest(0x1d, 1, bare)).toString('hex')).toBe('140000001d000100000000000000000001010000');
    expect((await parseFou(['port', '1'], true, AF_UNSPEC, lookup)).problem).toBe('fou: must set ipproto or gue');
    expect((await parseFou(['port', '1', 'gue', 'ipproto', '4'], true, AF_UNSPEC, lookup)).problem).toBe('fou: cannot set ipproto and gue');
    expect((await parseFou(['port', '1', 'gue', 'peer', '1.2.3.4'], true, AF_UNSPEC, lookup)).problem).toBe('fou: both peer and peer port must be set');
    await expect(parseFou(['port', '1', 'gue', 'dev', 'nope0'], true, AF_UNSPEC, lookup)).rejects.toThrow('fou: unknown device name');
    await expect(parseFou(['port', '0'], true, AF_UNSPEC, lookup)).rejects.toThrow('Error: argument "0" is wrong: invalid port');
    expect(Buffer.from(fouShowRequest(0x1d)).toString('hex')).toBe('140000001d000103000000000000000003010000');
  });

  it('prints mappings as print_fou_mapping() does', () => {
    // Replies in fou_fill_info()'s order: af, port, peer-port, ipproto, type, addresses, ifindex.
    const r4 = MessageView.from(
      hex(
        '540000001d00020000000000000000000301000005000200020000000600010015b3000006000a001a0a000005000300040000000500040001000000080006000a000001080008000a00000208000b00591b0000',
      ),
    );
    const r6 = MessageView.from(
      hex(
        '640000001d000200000000000000000003010000050002000a000000060001001e61000006000a00000000000500030000000000050004000200000014000700000000000000000000000000000000001400090020010db8000000000000000000000002',
      ),
    );
    const text = context();
    for (const m of [r4, r6]) {
      const p = text.ctx.printer();
      printFou(text.ctx, p, m);
      text.ctx.print(p.output);
    }
    expect(text.out()).toBe('port 5555 ipproto 4 local 10.0.0.1 peer 10.0.0.2 peer_port 6666 dev if7001\nport 7777 gue -6 peer 2001:db8::2\n');
    const json = context({ json: true });
    for (const m of [r4, r6]) {
      const p = json.ctx.printer();
      printFou(json.ctx, p, m);
      json.ctx.listItem(p);
    }
    json.ctx.listEnd();
    expect(JSON.parse(json.out())).toEqual([
      { port: 5555, ipproto: 4, family: 'inet', local: '10.0.0.1', peer: '10.0.0.2', peer_port: 6666, dev: 'if7001' },
      { port: 7777, gue: null, family: 'inet6', peer: '2001:db8::2' },
    ]);
  });
});

describe('ip l2tp with hand-built messages (this kernel has no l2tp)', () => {
  const h = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const parse = (line: string) => parseL2tp(line.split(' '));

  it('builds add, del and show requests as ip would send them', () => {
    expect(h(createTunnelRequest(0x22, parse('tunnel tunnel_id 1 peer_tunnel_id 2 local 10.0.0.1 remote 10.0.0.2 udp_sport 5000 udp_dport 6000 udp_csum on')))).toBe(V2.addTunnel);
    expect(h(createTunnelRequest(0x22, parse('tunnel tid 7 ptid 8 local 2001:db8::1 remote 2001:db8::2 udp_sport 1701 udp_dport 1701 udp6_csum_tx off udp6_csum_rx off')))).toBe(
      V2.addTunnel6,
    );
    expect(
      h(
        createSessionRequest(
          0x22,
          parse('session name l2tpeth0 tunnel_id 1 session_id 3 peer_session_id 4 cookie 0011223344556677 peer_cookie AABBCCDD seq both l2spec_type NONE'),
        ),
      ),
    ).toBe(V2.addSession);
    expect(h(deleteRequest(0x22, parse('session tunnel_id 1 session_id 3')))).toBe(V2.delSession);
    expect(h(deleteRequest(0x22, parse('tunnel tunnel_id 1')))).toBe(V2.delTunnel);
    expect(h(showRequest(0x22, parse('tunnel tunnel_id 1')))).toBe(V2.showTunnel);
    expect(h(showRequest(0x22, parse('session tunnel_id 1')))).toBe(V2.showSession);
  });

  it("reads the command line as parse_args() does, with ip's messages", () => {
    expect(() => parse('tunnel encap gre')).toThrow('Unknown tunnel encapsulation "gre"');
    expect(() => parse('tunnel tunnel_id x')).toThrow('Error: argument "x" is wrong: invalid ID\n');
    expect(() => parse('session cookie 123')).toThrow('Error: argument "123" is wrong: cookie must be either 8 or 16 hex digits\n');
    expect(() => parse('session cookie 0011xx33')).toThrow('Error: argument "0011xx33" is wrong: cookie must be a hex string\n');
    expect(() => parse('session seq Sometimes')).toThrow('Unknown seq value "Sometimes"');
    expect(() => parse('tunnel remote nowhere')).toThrow('Error: argument "nowhere" is wrong: invalid remote address\n');
    expect(() => parse('frob')).toThrow(/^Unknown command: frob\nUsage: ip l2tp add tunnel/);
    expect(parse('session seq recv l2spec_type default')).toMatchObject({ recvSeq: true, sendSeq: false, l2specType: 1, l2specLen: 4, session: true });
  });

  function shown(session: boolean, names: (keyof typeof V2)[], o: Partial<IpOptions> = {}): string {
    const { ctx, out } = context(o);
    const p = newParm();
    for (const n of names) {
      applyReply(p, MessageView.from(hex(V2[n])));
      const pr = ctx.printer();
      if (session) printSession(ctx, pr, p);
      else printTunnel(ctx, pr, p);
      if (ctx.options.json) ctx.listItem(pr);
      else ctx.print(pr.output);
    }
    ctx.listEnd();
    return out();
  }

  it('prints tunnels and sessions as print_tunnel() / print_session() do', () => {
    expect(shown(false, ['replyTunnel', 'replyTunnel6'])).toBe(
      'Tunnel 1, encap UDP\n  From 10.0.0.1 to 10.0.0.2\n  Peer tunnel 2\n  UDP source / dest ports: 5000/6000\n  UDP checksum: enabled\n' +
        'Tunnel 7, encap IP\n  From 2001:db8::1 to 2001:db8::2\n  Peer tunnel 8\n',
    );
    expect(JSON.parse(shown(false, ['replyTunnel', 'replyTunnel6'], { json: true }))).toEqual([
      { tunnel_id: 1, encap: 'UDP', local: '10.0.0.1', peer: '10.0.0.2', peer_tunnel: 2, local_port: 5000, peer_port: 6000, checksum: true },
      { tunnel_id: 7, encap: 'IP', local: '2001:db8::1', peer: '2001:db8::2', peer_tunnel: 8 },
    ]);
    expect(shown(true, ['replySession'])).toBe(
      'Session 3 in tunnel 1\n  Peer session 4, tunnel 2\n  interface name: l2tpeth0\n  offset 0, peer offset 0\n  cookie 0011223344556677  peer cookie aabbccdd  reorder timeout: 250\n  sequence numbering: send recv\n',
    );
    expect(JSON.parse(shown(true, ['replySession'], { json: true }))).toEqual([
      {
        session_id: 3,
        tunnel_id: 1,
        peer_session_id: 4,
        peer_tunnel_id: 2,
        interface: 'l2tpeth0',
        cookie: '0011223344556677',
        peer_cookie: 'aabbccdd',
        reorder_timeout: 250,
        send_seq: null,
        recv_seq: null,
      },
    ]);
  });
});
