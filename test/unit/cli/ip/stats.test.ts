// `ip stats` printers with hand-built RTM_NEWSTATS messages (layouts of
// include/uapi/linux/if_link.h, if_bridge.h and if_bonding.h): bond 802.3ad
// counters (this kernel has no bonding), L3 offload statistics a driver
// keeps, and invalid hw_stats_info values. The hw_stats_info text was
// checked against iproute2 6.1's `ip monitor file F` with the same bytes
// (ipstats_print()); the rest follows the format strings of ipstats.c,
// iplink_bond.c and iplink_bridge.c.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC } from '../../../../src/core/constants.js';
import { MessageView } from '../../../../src/core/message.js';
import { IpContext, type IpOptions } from '../../../../src/cli/ip/context.js';
import { CommandError } from '../../../../src/cli/error.js';
import { printIfStats } from '../../../../src/cli/ip/stats.js';

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

/** struct nlattr + data, padded to 4 bytes. */
function nla(type: number, ...data: (Uint8Array | number[])[]): number[] {
  const payload = data.flatMap((d) => [...d]);
  const len = 4 + payload.length;
  const out = [len & 0xff, len >> 8, type & 0xff, type >> 8, ...payload];
  while (out.length % 4) out.push(0);
  return out;
}
const u64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const u64s = (...vs: bigint[]): Uint8Array => Uint8Array.from(vs.flatMap((v) => [...u64(v)]));

/** RTM_NEWSTATS (92) for ifindex 7 (struct if_stats_msg: family, pad1, pad2, ifindex, filter_mask). */
function statsMsg(...attrs: number[][]): MessageView {
  const body = [0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, ...attrs.flat()];
  const len = 16 + body.length;
  return MessageView.from(Uint8Array.from([len & 0xff, len >> 8, 0, 0, 92, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...body]));
}

// IFLA_STATS_LINK_XSTATS (2) / _SLAVE (3) -> LINK_XSTATS_TYPE_BOND (2) -> BOND_XSTATS_3AD (1) -> BOND_3AD_STAT_* (0..8).
const ALL_3AD = nla(1, ...Array.from({ length: 9 }, (_, i) => nla(i, u64(BigInt(10 + i)))));
const BOND = statsMsg(nla(2, nla(2, ALL_3AD)), nla(3, nla(2, nla(1, nla(0, u64(5n)), nla(5, u64(7n))))));

// IFLA_STATS_LINK_OFFLOAD_XSTATS (4): HW_S_INFO (2) -> L3_STATS (3) -> REQUEST (1), USED (2); L3_STATS (3): struct rtnl_hw_stats64.
const hwInfo = (request: number, used: number): number[] => nla(2, nla(3, nla(1, [request]), nla(2, [used])));
const L3 = statsMsg(nla(4, hwInfo(1, 1), nla(3, u64s(3n, 4n, 1234567890123n, 500n, 1n, 2n, 5n, 6n, 7n))));

// IFLA_STATS_LINK_XSTATS_SLAVE (3) -> LINK_XSTATS_TYPE_BRIDGE (1) -> BRIDGE_XSTATS_MCAST (2): struct br_mcast_stats; BRIDGE_XSTATS_STP (4).
const MCAST = u64s(...Array.from({ length: 30 }, (_, i) => BigInt(i + 1)));
const BRIDGE = statsMsg(nla(3, nla(1, nla(2, MCAST), nla(4, u64s(1n, 2n, 3n, 4n, 5n, 6n)))));

function printed(m: MessageView, sel: string[], o: Partial<IpOptions> = {}): string {
  const { ctx, out } = context(o);
  printIfStats(ctx, m, sel);
  ctx.listEnd();
  return out();
}

const PAD = ' '.repeat(20);

describe('ip stats show, bond 802.3ad (bond_print_3ad_stats)', () => {
  it('prints every counter the kernel sent, in ip order, and nothing for a link without them', () => {
    expect(printed(BOND, ['xstats'])).toBe(
      [
        '7: if7: group xstats subgroup bond suite 802.3ad',
        `${PAD}LACPDU Rx 10`,
        `${PAD}LACPDU Tx 11`,
        `${PAD}LACPDU Unknown type Rx 12`,
        `${PAD}LACPDU Illegal Rx 13`,
        `${PAD}Marker Rx 14`,
        `${PAD}Marker Tx 15`,
        `${PAD}Marker response Rx 16`,
        `${PAD}Marker response Tx 17`,
        `${PAD}Marker unknown type Rx 18`,
        '',
        '7: if7: group xstats subgroup bridge suite mcast',
        '7: if7: group xstats subgroup bridge suite stp',
        '',
      ].join('\n'),
    );
    expect(printed(BOND, ['xstats_slave', 'bond'])).toBe(`7: if7: group xstats_slave subgroup bond suite 802.3ad\n${PAD}LACPDU Rx 5\n${PAD}Marker Tx 7\n\n`);
  });

  it('prints them in JSON under "802.3ad"', () => {
    expect(printed(BOND, ['xstats_slave', 'bond', '802.3ad'], { json: true })).toBe(
      '[{"ifindex":7,"ifname":"if7","group":"xstats_slave","subgroup":"bond","suite":"802.3ad","802.3ad":{"lacpdu_rx":5,"marker_tx":7}}]\n',
    );
  });
});

describe('ip stats show, offload (ipstats.c)', () => {
  it('prints L3 statistics a driver keeps in their own table', () => {
    expect(printed(L3, ['offload', 'l3_stats'])).toBe(
      [
        '7: if7: group offload subgroup l3_stats on used on',
        '    RX:     bytes packets errors dropped   mcast',
        '    1234567890123       3      1       5       7 ',
        '    TX:     bytes packets errors dropped',
        '              500       4      2       6 ',
        '',
      ].join('\n'),
    );
    expect(printed(L3, ['offload', 'l3_stats'], { json: true })).toBe(
      '[{"ifindex":7,"ifname":"if7","group":"offload","subgroup":"l3_stats","info":{"request":true,"used":true},"stats64":{"rx":{"bytes":1234567890123,"packets":3,"errors":1,"dropped":5,"multicast":7},"tx":{"bytes":500,"packets":4,"errors":2,"dropped":6}}}]\n',
    );
  });

  it('prints -h numbers with a unit, columns as wide as their headings', () => {
    expect(printed(L3, ['offload', 'l3_stats'], { human: 1 })).toBe(
      [
        '7: if7: group offload subgroup l3_stats on used on',
        '    RX: bytes packets errors dropped   mcast',
        '        1.23T       3      1       5       7 ',
        '    TX: bytes packets errors dropped',
        '          500       4      2       6 ',
        '',
      ].join('\n'),
    );
  });

  it('joins lines with a backslash under -oneline', () => {
    expect(printed(L3, ['offload'], { oneline: true })).toBe(
      '7: if7: group offload subgroup l3_stats on used on\\    RX:     bytes packets errors dropped   mcast\\    1234567890123       3      1       5       7 \\    TX:     bytes packets errors dropped\\              500       4      2       6 \\' +
        '7: if7: group offload subgroup hw_stats_info\\    l3_stats on used on\\' +
        '7: if7: group offload subgroup cpu_hit\\\\',
    );
  });

  it('prints hw_stats_info as ip monitor file does', () => {
    expect(printed(L3, ['offload', 'hw_stats_info'])).toBe('7: if7: group offload subgroup hw_stats_info\n    l3_stats on used on\n');
    expect(printed(statsMsg(nla(4, hwInfo(0, 5))), ['offload', 'hw_stats_info'])).toBe('7: if7: group offload subgroup hw_stats_info\n    l3_stats off\n');
  });

  it('gives up as ip does on a request that is neither 0 nor 1 (exit status 22, what was printed kept)', () => {
    const { ctx, out, err } = context();
    let thrown: unknown;
    try {
      printIfStats(ctx, statsMsg(nla(4, hwInfo(2, 1))), ['offload', 'hw_stats_info']);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(CommandError);
    expect((thrown as CommandError).exitCode).toBe(22);
    expect(out()).toBe('7: if7: group offload subgroup hw_stats_info\n');
    expect(err()).toBe('Invalid value for request: expected 0 or 1, got 2.\n');
  });
});

describe('ip stats show, bridge port (bridge_print_stats_mcast, bridge_print_stats_stp)', () => {
  it('reads every member of br_mcast_stats and bridge_stp_xstats where the header puts it', () => {
    expect(printed(BRIDGE, ['xstats_slave', 'bridge'], { json: true })).toBe(
      '[{"ifindex":7,"ifname":"if7","group":"xstats_slave","subgroup":"bridge","suite":"mcast","multicast":{' +
        '"igmp_queries":{"rx_v1":1,"rx_v2":3,"rx_v3":5,"tx_v1":2,"tx_v2":4,"tx_v3":6},' +
        '"igmp_reports":{"rx_v1":9,"rx_v2":11,"rx_v3":13,"tx_v1":10,"tx_v2":12,"tx_v3":14},' +
        '"igmp_leaves":{"rx":7,"tx":8},"igmp_parse_errors":15,' +
        '"mld_queries":{"rx_v1":16,"rx_v2":18,"tx_v1":17,"tx_v2":19},' +
        '"mld_reports":{"rx_v1":22,"rx_v2":24,"tx_v1":23,"tx_v2":25},' +
        '"mld_leaves":{"rx":20,"tx":21},"mld_parse_errors":26}},' +
        '{"ifindex":7,"ifname":"if7","group":"xstats_slave","subgroup":"bridge","suite":"stp","stp":{"rx_bpdu":3,"tx_bpdu":4,"rx_tcn":5,"tx_tcn":6,"transition_blk":1,"transition_fwd":2}}]\n',
    );
    expect(printed(BRIDGE, ['xstats_slave', 'bridge', 'stp'])).toBe(
      `7: if7: group xstats_slave subgroup bridge suite stp\n${PAD}STP BPDU:  RX: 3 TX: 4\n${PAD}STP TCN:   RX: 5 TX: 6\n${PAD}STP Transitions: Blocked: 1 Forwarding: 2\n\n`,
    );
  });

  it('reads a struct cut short as zeros, never past the attribute', () => {
    const short = statsMsg(nla(3, nla(1, nla(4, u64s(9n)))));
    expect(printed(short, ['xstats_slave', 'bridge', 'stp'])).toContain('Blocked: 9 Forwarding: 0');
  });
});
