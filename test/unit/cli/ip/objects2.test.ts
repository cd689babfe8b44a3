// Printers of ip objects this kernel cannot answer for, with hand-built
// messages (layouts of include/uapi/linux/rtnetlink.h and fib_rules.h):
// multicast routes (RTM_NEWROUTE / RTM_DELROUTE of RTNL_FAMILY_IPMR and
// RTNL_FAMILY_IP6MR) and multicast rules. The expected text is what iproute2
// 6.1 printed for the same bytes with `ip [-s|-d|-o -s] monitor file F`
// (ipmonitor.c hands these families to print_mroute() and print_rule());
// JSON, which ip's monitor does not print, follows ipmroute.c's
// print_*(PRINT_ANY / PRINT_JSON) calls.
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC } from '../../../../src/core/constants.js';
import { MessageView } from '../../../../src/core/message.js';
import { IpContext, type IpOptions } from '../../../../src/cli/ip/context.js';
import { MrouteDumpError, mrouteDumpRequest, printMroute, type MrouteFilter } from '../../../../src/cli/ip/mroute.js';
import { printRule } from '../../../../src/cli/ip/rule.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

/** Hand-built messages (made by a script from the uapi layouts; see the file header). */
const V = {
  // (10.0.0.1,239.1.1.1) in table default (rtm_table and RTA_TABLE 253), iif 7001, oifs 7002 (ttl 1) and
  // 7003 (ttl 3), RTA_MFC_STATS 5 packets / 640 bytes / 2 wrong iif, RTA_EXPIRES 12345 ticks (u64).
  ipmrResolved:
    '7800000018000200000000000000000080202000fd1100050000000008000f00fd000000080002000a00000108000100ef01010108000300591b000014000900080000015a1b0000080000035b1b00001c0011000500000000000000800200000000000002000000000000000c0017003930000000000000',
  // (192.0.2.7,232.0.0.9), RTNH_F_UNRESOLVED, no iif, no oifs, table main, zero counters, 7 ticks.
  ipmrUnresolved:
    '5c00000018000200000000000000000080202000fe1100052000000008000f00fe00000008000200c000020708000100e80000091c0011000000000000000000000000000000000000000000000000000c0017000700000000000000',
  // RTM_DELROUTE of (*,ff0e::1) in table 9, RTNH_F_OFFLOAD, iif 7001, oif 7004 (ttl 2).
  ip6mrDeleted: '4c00000019000000000000000000000081800000091100050800000008000f000900000014000100ff0e000000000000000000000000000108000300591b00000c000900080000025c1b0000',
  // IPMR rule 100: from 10.0.0.0/8 iif eth9 lookup 5.
  ipmrRule: '400000002000020000000000000000008000080005000001000000000800060064000000080002000a00000009000300657468390000000008000f0005000000',
  // IPMR rule 32767: from all lookup default.
  ipmrRuleDefault: '2c00000020000200000000000000000080000000fd0000010000000008000600ff7f000008000f00fd000000',
  // RTM_DELRULE of IP6MR rule 7: from 2001:db8::1/128 lookup 1000.
  ip6mrRuleHost: '4000000021000000000000000000000081008000fc0000010000000008000600070000001400020020010db800000000000000000000000108000f00e8030000',
} as const;

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
