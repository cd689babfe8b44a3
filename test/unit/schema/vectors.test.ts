// Byte vectors: real kernel messages captured on this machine, decoded with
// the run-time compiled families, and requests encoded byte for byte.
//
// How they were captured: a small python3 script (socket(AF_NETLINK,
// SOCK_RAW, proto), send one request, recv until the reply ends, print the
// bytes as hex) run inside a fresh network namespace (`unshare -n`), so that
// lo is pristine (down, no traffic). Kernel 6.18.
// - LINK_LO: reply to RTM_GETLINK { ifi_index = 1, IFLA_IFNAME "lo",
//   IFLA_EXT_MASK RTEXT_FILTER_SKIP_STATS } on NETLINK_ROUTE.
// - NLCTRL_FAMILY: reply to CTRL_CMD_GETFAMILY { CTRL_ATTR_FAMILY_NAME "nlctrl" }
//   (genl version 1) on NETLINK_GENERIC.
// - ROUTE_DUMP: RTM_GETROUTE dump (rtmsg family AF_INET) after
//   `ip link set lo up; ip addr add 192.0.2.1/24 dev lo;
//    ip route add 198.51.100.0/24 via 192.0.2.2 dev lo metric 7`:
//   seven RTM_NEWROUTE messages and NLMSG_DONE.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NLMSG_DONE, NLM_F_REQUEST } from '../../../src/core/constants.js';
import { MessageView, parseMessages } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { compileFamily } from '../../../src/schema/compile.js';
import { loadSpec } from '../../../src/schema/load.js';

const SPEC_DIR = join(import.meta.dirname, '../../../../shared/ynl-specs/specs');
const load = (name: string) => compileFamily(loadSpec(join(SPEC_DIR, `${name}.yaml`)));
const hex = (parts: string[]): Uint8Array => new Uint8Array(Buffer.from(parts.join(''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const LINK_LO = hex([
  '4c0400001000000001000000973f000000000403010000000800000000000000070003006c6f000008000d00e8030000',
  '050010000200000005001100000000000500430001000000080004000000010008003200000000000800330000000000',
  '08001b000000000008001e000000000008003d000000000008001f000100000008002800ffff00000800290000000100',
  '08003a000000010008003f0000000100080040000000010008003b00f8ff070008003c00ffff00000800420000000000',
  '08002000010000000500210001000000080023000000000008002f000000000008003000000000000600440000000000',
  '060045000000000005002700000000000a00010000000000000000000a0002000000000000000000cc00170000000000',
  '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '000000006400070000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '00000000000000000c002b000500020000000000090006006e6f6f7000000000c0011a008c0002008800010000000000',
  '000000000000000001000000010000000100000001000000000000000100000000000000000000000000000000000000',
  '000000000100000001000000000000000000000000000000000000000000000000000000000000000000000000000000',
  '0000000010270000e8030000000000000000000000000000000000000100000030010a00080001000000000014000500',
  'ffff00000402020068610000e8030000f400020000000000400000000000010001000000010000000100000001000000',
  'ffffffffa00f0000e8030000ffffffff803a090080510100030000005802000010000000000000000100000001000000',
  '0100000060ea0000000000000000000000000000000000000000000000000000ffffffff000000000000000010270000',
  'e80300000100000000000000000000000100000000000000000000000100000000000000000000000000000000000000',
  '80ee360000000000000000000100000000000000000000000000000000000000000000000004000000000000ffff0000',
  'ffffffff0100000000000000000000000000000014000700000000000000000000000000000000000500080000000000',
  '24000e00000000000000000000000000000000000000000000000000000000000000000004003e8004004180',
]);

const NLCTRL_FAMILY = hex([
  '880000001000000002000000d43f0000010200000b0002006e6c6374726c000006000100100000000800030002000000',
  '080004000000000008000500000000002c000600140001000800010003000000080002000e0000001400020008000100',
  '0a000000080002000c0000001c0007001800010008000200100000000b0001006e6f746966790000',
]);

const ROUTE_DUMP = hex([
  '4400000018000200030000000140000002180000fe0300010000000008000f00fe00000008000100c633640008000600',
  '0700000008000500c000020208000400010000003c00000018000200030000000140000002080000ff02fe0200000000',
  '08000f00ff000000080001007f000000080007007f00000108000400010000003c000000180002000300000001400000',
  '02200000ff02fe020000000008000f00ff000000080001007f000001080007007f00000108000400010000003c000000',
  '18000200030000000140000002200000ff02fd030000000008000f00ff000000080001007fffffff080007007f000001',
  '08000400010000003c00000018000200030000000140000002180000ff02fe020000000008000f00ff00000008000100',
  'c000020008000700c000020108000400010000003c00000018000200030000000140000002200000ff02fe0200000000',
  '08000f00ff00000008000100c000020108000700c000020108000400010000003c000000180002000300000001400000',
  '02200000ff02fd030000000008000f00ff00000008000100c00002ff08000700c0000201080004000100000014000000',
  '03000200030000000140000000000000',
]);

describe('rt-link: RTM_NEWLINK for lo', () => {
  const rt = load('rt-link');
  const msg = MessageView.from(LINK_LO);

  it('decodes the fixed header and top-level attributes', () => {
    const { name, msg: link } = rt.decode(msg);
    expect(name).toBe('getlink');
    expect(link).toMatchObject({
      'ifi-family': 0,
      'ifi-type': 772,
      'ifi-index': 1,
      'ifi-flags': ['loopback'],
      'ifi-change': 0,
      ifname: 'lo',
      address: '00:00:00:00:00:00',
      broadcast: '00:00:00:00:00:00',
      mtu: 65536,
      txqlen: 1000,
      qdisc: 'noop',
      operstate: 2,
      'num-tx-queues': 1,
      'tso-max-size': 524280,
      'netns-immutable': 1,
      'max-pacing-offload-horizon': 0n,
      xdp: { attached: 0 },
      'dpll-pin': {},
    });
    expect(link.__unknown).toBeUndefined();
  });

  it('decodes binary structs (stats64 as bigints, map with its padding kept)', () => {
    const link = rt.ops.getlink!.decodeReply(msg);
    expect(link.stats64).toMatchObject({ 'rx-packets': 0n, 'tx-bytes': 0n, 'rx-otherhost-dropped': 0n });
    expect(link.map).toEqual({
      'mem-start': 0n,
      'mem-end': 0n,
      'base-addr': 0n,
      irq: 0,
      dma: 0,
      port: 0,
      __rest: new Uint8Array(4),
    });
  });

  it('decodes nests, binary arrays and structs inside af-spec', () => {
    const link = rt.ops.getlink!.decodeReply(msg);
    const af = link['af-spec'] as Record<string, Record<string, unknown>>;
    expect(af.inet!.conf).toHaveLength(33);
    expect((af.inet!.conf as number[]).slice(0, 6)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(af.inet6!.cacheinfo).toEqual({ 'max-reasm-len': 65535, tstamp: 131588, 'reachable-time': 24936, 'retrans-time': 1000, __rest: undefined });
    expect(af.inet6!['addr-gen-mode']).toBe(0);
    expect((af.inet6!.conf as number[])[1]).toBe(64);
  });

  it('re-encodes what it decoded to an equivalent message', () => {
    const link = rt.ops.getlink!.decodeReply(msg);
    const w = new MessageWriter();
    rt.ops.getlink!.encodeReply(w, link, { seq: 1 });
    const again = rt.ops.getlink!.decodeReply(MessageView.from(w.finish()));
    expect(again).toEqual(link);
  });

  it('encodes the RTM_GETLINK request byte for byte', () => {
    const w = new MessageWriter();
    rt.ops.getlink!.do!.encodeRequest(w, { 'ifi-index': 1, ifname: 'lo', 'ext-mask': ['skip-stats'] }, { flags: NLM_F_REQUEST, seq: 1 });
    expect(toHex(w.finish())).toBe('30000000120001000100000000000000' + '00000000010000000000000000000000' + '070003006c6f0000' + '08001d0008000000');
  });
});

describe('nlctrl: CTRL_CMD_NEWFAMILY for nlctrl', () => {
  const ctrl = load('nlctrl');

  it('decodes indexed arrays of nests and flags', () => {
    expect(ctrl.decode(MessageView.from(NLCTRL_FAMILY))).toEqual({
      name: 'getfamily',
      msg: {
        'family-id': 16,
        'family-name': 'nlctrl',
        version: 2,
        hdrsize: 0,
        maxattr: 0,
        ops: [{ 1: { id: 3, flags: ['cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol'] } }, { 2: { id: 10, flags: ['cmd-cap-dump', 'cmd-cap-haspol'] } }],
        'mcast-groups': [{ 1: { name: 'notify', id: 16 } }],
      },
    });
  });

  it('encodes the CTRL_CMD_GETFAMILY request byte for byte (nlctrl has a fixed family id)', () => {
    const w = new MessageWriter();
    ctrl.ops.getfamily!.do!.encodeRequest(w, { 'family-name': 'nlctrl' }, { flags: NLM_F_REQUEST, seq: 2 });
    expect(toHex(w.finish())).toBe('2000000010000100020000000000000003010000' + '0b0002006e6c6374726c0000');
  });
});

describe('rt-route: RTM_GETROUTE dump', () => {
  const route = load('rt-route');

  it('decodes every route of the dump', () => {
    const msgs = parseMessages(ROUTE_DUMP);
    expect(msgs.at(-1)!.type).toBe(NLMSG_DONE);
    const routes = msgs.slice(0, -1).map((m) => route.ops.getroute!.dump!.decodeReply(m));
    expect(routes.map((r) => [r['rtm-table'], r['rtm-type'], r.dst, r['rtm-dst-len'], r.prefsrc ?? r.gateway])).toEqual([
      [254, 'unicast', '198.51.100.0', 24, '192.0.2.2'],
      [255, 'local', '127.0.0.0', 8, '127.0.0.1'],
      [255, 'local', '127.0.0.1', 32, '127.0.0.1'],
      [255, 'broadcast', '127.255.255.255', 32, '127.0.0.1'],
      [255, 'local', '192.0.2.0', 24, '192.0.2.1'],
      [255, 'local', '192.0.2.1', 32, '192.0.2.1'],
      [255, 'broadcast', '192.0.2.255', 32, '192.0.2.1'],
    ]);
    expect(routes[0]).toEqual({
      'rtm-family': 2,
      'rtm-dst-len': 24,
      'rtm-src-len': 0,
      'rtm-tos': 0,
      'rtm-table': 254,
      'rtm-protocol': 3,
      'rtm-scope': 0,
      'rtm-type': 'unicast',
      'rtm-flags': 0,
      table: 254,
      dst: '198.51.100.0',
      priority: 7,
      gateway: '192.0.2.2',
      oif: 1,
    });
  });

  it('names unsolicited RTM_NEWROUTE messages after the notification, as the ynl tool does', () => {
    expect(route.decode(parseMessages(ROUTE_DUMP)[0]!).name).toBe('newroute-ntf');
  });

  it('encodes the dump request byte for byte', () => {
    const w = new MessageWriter();
    route.ops.getroute!.dump!.encodeRequest(w, { 'rtm-family': 2 }, { seq: 3 });
    expect(toHex(w.finish())).toBe('1c0000001a0001030300000000000000' + '020000000000000000000000');
  });
});
