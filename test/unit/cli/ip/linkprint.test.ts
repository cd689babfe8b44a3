// The pure parts of the link printer (src/cli/ip/linkprint.ts): the `ip -s`
// counter table (linkStatsText) and the `ip -brief` line of a link
// (printLinkBrief), on link messages built here. Expected text is what
// iproute2 6.1 printed for links of the same state (namespaces with lo, a
// veth pair with one end down, a veth whose peer is in another namespace, a
// tun device); wider columns follow print_stats64's size_columns.
import { describe, expect, it } from 'vitest';
import type { IpContext, IpOptions } from '../../../../src/cli/ip/context.js';
import { formatCount, linkStatsText, printLinkBrief, type StatName } from '../../../../src/cli/ip/linkprint.js';
import { Printer } from '../../../../src/cli/ip/printer.js';
import { AF_UNSPEC } from '../../../../src/core/constants.js';
import { IFINFOMSG_SIZE, IFLA_ADDRESS, IFLA_IFNAME, IFLA_LINK, IFLA_LINK_NETNSID, IFLA_OPERSTATE, RTM_DELLINK, RTM_NEWLINK } from '../../../../src/families/route/constants.js';
import { MessageView } from '../../../../src/core/message.js';
import { MessageWriter } from '../../../../src/core/writer.js';

const counters =
  (values: Partial<Record<StatName, bigint>>) =>
  (name: StatName): bigint =>
    values[name] ?? 0n;

describe('linkStatsText', () => {
  it('prints the counters of an idle link as ip -s link does', () => {
    expect(linkStatsText(counters({}), 1, 0n, '\n')).toBe(
      [
        '    RX:  bytes packets errors dropped  missed   mcast           ',
        '             0       0      0       0       0       0 ',
        '    TX:  bytes packets errors dropped carrier collsns           ',
        '             0       0      0       0       0       0 ',
      ].join('\n'),
    );
  });

  it('adds the error rows at -s -s, the first error column as wide as "packets"', () => {
    expect(linkStatsText(counters({ tx_dropped: 2n }), 2, 0n, '\n')).toBe(
      [
        '    RX:  bytes packets errors dropped  missed   mcast           ',
        '             0       0      0       0       0       0 ',
        '    RX errors:  length    crc   frame    fifo overrun',
        '                     0      0       0       0       0 ',
        '    TX:  bytes packets errors dropped carrier collsns           ',
        '             0       0      0       2       0       0 ',
        '    TX errors: aborted   fifo  window heartbt transns',
        '                     0      0       0       0       0 ',
      ].join('\n'),
    );
  });

  it('joins the rows with a backslash for -oneline', () => {
    const text = linkStatsText(counters({ rx_bytes: 360n, rx_packets: 4n }), 1, 0n, '\\');
    expect(text).toBe(
      '    RX:  bytes packets errors dropped  missed   mcast           \\' +
        '           360       4      0       0       0       0 \\' +
        '    TX:  bytes packets errors dropped carrier collsns           \\' +
        '             0       0      0       0       0       0 ',
    );
  });

  it('widens a column to its widest number, in every row of the table', () => {
    const text = linkStatsText(counters({ rx_bytes: 123456789012n, tx_packets: 12345678n }), 1, 0n, '\n');
    expect(text.split('\n')).toEqual([
      '    RX:    bytes  packets errors dropped  missed   mcast           ',
      '    123456789012        0      0       0       0       0 ',
      '    TX:    bytes  packets errors dropped carrier collsns           ',
      '               0 12345678      0       0       0       0 ',
    ]);
  });

  it('prints compressed counters and nohandler only when they are not zero', () => {
    const text = linkStatsText(counters({ rx_compressed: 5n, rx_nohandler: 3n }), 2, 0n, '\n');
    expect(text.split('\n').slice(0, 4)).toEqual([
      '    RX:  bytes packets errors dropped  missed   mcast compressed',
      '             0       0      0       0       0       0          5 ',
      '    RX errors:  length    crc   frame    fifo overrun  nohandler',
      '                     0      0       0       0       0          3 ',
    ]);
  });

  // `ip -s -h link show lo` after 10 000 datagrams of 902 bytes on lo printed
  // "9.02M   10.0k" (and "8.60Mi  9.77ki" with -iec) in columns as wide as their headings (iproute2 6.1).
  it('prints -h counters in k/M/G, without widening the columns', () => {
    const text = linkStatsText(counters({ rx_bytes: 9024000n, rx_packets: 10010n, tx_bytes: 123456789012n }), 1, 0n, '\n', { human: 1, iec: 0 });
    expect(text.split('\n')).toEqual([
      '    RX:  bytes packets errors dropped  missed   mcast           ',
      '         9.02M   10.0k      0       0       0       0 ',
      '    TX:  bytes packets errors dropped carrier collsns           ',
      '          123G       0      0       0       0       0 ',
    ]);
  });

  it.each([
    [999n, 0, '999'],
    [1000n, 0, '1.00k'],
    [10010n, 0, '10.0k'],
    [123456n, 0, '123k'],
    [9024000n, 0, '9.02M'],
    [1023n, 1, '1023'],
    [1024n, 1, '1.00ki'],
    [9024000n, 1, '8.61Mi'],
    [(1n << 64n) - 1n, 0, '18.4E'],
  ])('formats %d (iec %d) as print_num() does: %s', (count, iec, text) => {
    expect(formatCount(count, { human: 1, iec })).toBe(text);
    expect(formatCount(count, { human: 0, iec })).toBe(count.toString());
  });

  it('leaves out transns when the kernel sent no carrier changes', () => {
    const rows = linkStatsText(counters({}), 2, undefined, '\n').split('\n');
    expect(rows.slice(6)).toEqual(['    TX errors: aborted   fifo  window heartbt        ', '                     0      0       0       0 ']);
  });
});

const OPTIONS: IpOptions = { json: false, pretty: false, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: true, human: 0, iec: 0, all: false };

/** The part of IpContext printLinkBrief reads: names and flags of other links (ll_map). */
function context(links: Record<number, { name: string; flags: number }>): IpContext {
  const ctx = {
    options: OPTIONS,
    indexName: (i: number) => links[i]?.name ?? `if${i}`,
    indexFlags: (i: number) => links[i]?.flags ?? -1,
  };
  return ctx as unknown as IpContext;
}

interface LinkSpec {
  type?: number;
  index: number;
  flags: number;
  name: string;
  link?: number;
  netnsid?: number;
  operstate?: number;
  address?: number[];
  deleted?: boolean;
}

/** An RTM_NEWLINK message as the kernel sends it, with the attributes printLinkBrief reads. */
function linkMessage(l: LinkSpec): MessageView {
  const w = new MessageWriter();
  w.beginMessage(l.deleted ? RTM_DELLINK : RTM_NEWLINK, 0);
  const h = w.reserve(IFINFOMSG_SIZE);
  w.view.setUint16(h + 2, l.type ?? 1, true);
  w.view.setInt32(h + 4, l.index, true);
  w.view.setUint32(h + 8, l.flags, true);
  w.putString(IFLA_IFNAME, l.name);
  if (l.address) w.putBinary(IFLA_ADDRESS, Uint8Array.from(l.address));
  if (l.link !== undefined) w.putU32(IFLA_LINK, l.link);
  if (l.operstate !== undefined) w.putU8(IFLA_OPERSTATE, l.operstate);
  if (l.netnsid !== undefined) w.putU32(IFLA_LINK_NETNSID, l.netnsid);
  w.endMessage();
  return new MessageView(w.finishCopy(), 0);
}

// linux/if.h flags and IF_OPER_* states.
const UP = 0x1;
const BROADCAST = 0x2;
const LOOPBACK = 0x8;
const POINTOPOINT = 0x10;
const RUNNING = 0x40;
const NOARP = 0x80;
const MULTICAST = 0x1000;
const LOWER_UP = 0x10000;
const OPER_UNKNOWN = 0;
const OPER_DOWN = 2;
const OPER_LOWERLAYERDOWN = 3;
const OPER_UP = 6;
const MAC = [0x1a, 0xe3, 0x9a, 0x97, 0x1e, 0x13];

const LINKS = {
  lo: { type: 772, index: 1, flags: LOOPBACK | UP | RUNNING | LOWER_UP, name: 'lo', operstate: OPER_UNKNOWN, address: [0, 0, 0, 0, 0, 0] },
  v1: { index: 2, flags: BROADCAST | MULTICAST | UP, name: 'v1', link: 3, operstate: OPER_LOWERLAYERDOWN, address: MAC },
  x0: { index: 4, flags: BROADCAST | MULTICAST | UP | RUNNING | LOWER_UP, name: 'x0', link: 2, netnsid: 0, operstate: OPER_UP, address: MAC },
  tun0: { type: 65534, index: 8, flags: POINTOPOINT | MULTICAST | NOARP, name: 'tun0', operstate: OPER_DOWN },
  orphan: { index: 9, flags: BROADCAST | MULTICAST, name: 'orphan', link: 0, operstate: OPER_DOWN, address: MAC },
  long: { index: 10, flags: BROADCAST | MULTICAST, name: 'averylongname15', link: 11, operstate: OPER_DOWN, address: MAC },
} satisfies Record<string, LinkSpec>;

// v1's peer v0 (index 3) is down; averylongname15's peer is up.
const OTHERS = { 3: { name: 'v0', flags: BROADCAST | MULTICAST }, 11: { name: 'averylongpeer15', flags: UP } };

function brief(json: boolean, pretty: boolean, l: LinkSpec, withLinkLayer = true): string {
  const p = new Printer(json, pretty);
  printLinkBrief(context(OTHERS), p, linkMessage(l), withLinkLayer);
  return p.rendered;
}

describe('printLinkBrief', () => {
  const TEXT: readonly [string, LinkSpec, string][] = [
    ['lo', LINKS.lo, 'lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> '],
    ['a veth whose peer is down', LINKS.v1, 'v1@v0            LOWERLAYERDOWN 1a:e3:9a:97:1e:13 <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> '],
    ['a veth whose peer is in another namespace', LINKS.x0, 'x0@if2           UP             1a:e3:9a:97:1e:13 <BROADCAST,MULTICAST,UP,LOWER_UP> '],
    ['a tun device (no link-layer address)', LINKS.tun0, 'tun0             DOWN           <POINTOPOINT,MULTICAST,NOARP> '],
    ['a link whose lower link is index 0', LINKS.orphan, 'orphan@NONE      DOWN           1a:e3:9a:97:1e:13 <BROADCAST,MULTICAST> '],
    ['a name and link longer than the column', LINKS.long, 'averylongname15@averylongpeer15 DOWN           1a:e3:9a:97:1e:13 <BROADCAST,MULTICAST> '],
    ['a deleted link', { ...LINKS.tun0, deleted: true }, 'Deleted tun0             DOWN           <POINTOPOINT,MULTICAST,NOARP> '],
  ];

  it.each(TEXT)('prints %s as ip -br link does', (_what, l, line) => {
    expect(brief(false, false, l)).toBe(line);
  });

  it('prints only the name and state for ip -br address (the addresses follow)', () => {
    expect(brief(false, false, LINKS.v1, false)).toBe('v1@v0            LOWERLAYERDOWN ');
    expect(brief(false, false, LINKS.lo, false)).toBe('lo               UNKNOWN        ');
  });

  const JSON_OBJECTS: readonly [string, LinkSpec, string][] = [
    ['lo', LINKS.lo, '{"ifname":"lo","operstate":"UNKNOWN","address":"00:00:00:00:00:00","flags":["LOOPBACK","UP","LOWER_UP"]}'],
    ['v1', LINKS.v1, '{"link":"v0","ifname":"v1","operstate":"LOWERLAYERDOWN","address":"1a:e3:9a:97:1e:13","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN"]}'],
    ['x0', LINKS.x0, '{"link_index":2,"ifname":"x0","operstate":"UP","address":"1a:e3:9a:97:1e:13","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"]}'],
    ['tun0', LINKS.tun0, '{"ifname":"tun0","operstate":"DOWN","flags":["POINTOPOINT","MULTICAST","NOARP"]}'],
    ['orphan', LINKS.orphan, '{"link":null,"ifname":"orphan","operstate":"DOWN","address":"1a:e3:9a:97:1e:13","flags":["BROADCAST","MULTICAST"]}'],
  ];

  it.each(JSON_OBJECTS)('prints %s as ip -br -j link does', (_name, l, json) => {
    expect(brief(true, false, l)).toBe(json);
  });

  it('prints the same members in pretty JSON', () => {
    expect(brief(true, true, LINKS.v1)).toBe(
      [
        '{',
        '    "link": "v0",',
        '    "ifname": "v1",',
        '    "operstate": "LOWERLAYERDOWN",',
        '    "address": "1a:e3:9a:97:1e:13",',
        '    "flags": [ "NO-CARRIER","BROADCAST","MULTICAST","UP","M-DOWN" ]',
        '}',
      ].join('\n'),
    );
  });

  it('leaves the link-layer members out for ip -br -j address', () => {
    expect(brief(true, false, LINKS.v1, false)).toBe('{"link":"v0","ifname":"v1","operstate":"LOWERLAYERDOWN"}');
  });
});
