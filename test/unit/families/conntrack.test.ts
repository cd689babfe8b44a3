// The conntrack model and its conversions without a kernel: the generated
// module (the kernel's spec with overlays/conntrack.yaml) numbers attributes,
// message types and groups as the uapi headers do (the kernel's spec numbers
// the NAT attributes wrongly and types CTA_TIMESTAMP as a u64); captured
// messages (test/vectors/conntrack.ts) decode to the entries, events,
// expectations and statistics they carry, destroy events included, and
// print as conntrack prints them; conntrack's own requests decode and
// re-encode to the same fields.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatConntrackEntry, formatConntrackExpectation } from '../../../src/cli/conntrack/format.js';
import { family } from '../../../src/families/generated/conntrack.js';
import { toConntrackEntry, toConntrackExpectation } from '../../../src/families/netfilter/conntrack.js';
import { MessageView, MessageWriter } from '../../../src/index.js';
import * as v from '../../vectors/conntrack.js';

const HEADER = '/usr/include/linux/netfilter/nfnetlink_conntrack.h';
const NFNETLINK_HEADER = '/usr/include/linux/netfilter/nfnetlink.h';

/** enum name -> entry name -> value, for the enums of a C header. */
function headerEnums(text: string): Map<string, Map<string, number>> {
  const enums = new Map<string, Map<string, number>>();
  for (const m of text.matchAll(/enum (\w+) \{([\s\S]*?)\};/g)) {
    const body = m[2]!.replace(/\/\*[\s\S]*?\*\//g, '').replace(/#define.*$/gm, '');
    const entries = new Map<string, number>();
    let next = 0;
    for (const part of body.split(',')) {
      const [name, value] = part.split('=').map((s) => s.trim());
      if (!name) continue;
      if (value !== undefined) {
        if (/^\d+$/.test(value)) next = Number(value);
        else if (entries.has(value)) next = entries.get(value)!;
        else break;
      }
      entries.set(name, next++);
    }
    enums.set(m[1]!, entries);
  }
  return enums;
}

// Attribute set -> [enum, prefix of its C names, the part of the spec's names the C names leave out].
const SETS: Record<string, [string, string, string?]> = {
  'conntrack-attrs': ['ctattr_type', 'CTA_'],
  'tuple-attrs': ['ctattr_tuple', 'CTA_'],
  'tuple-ip-attrs': ['ctattr_ip', 'CTA_'],
  'tuple-proto-attrs': ['ctattr_l4proto', 'CTA_'],
  'protoinfo-attrs': ['ctattr_protoinfo', 'CTA_'],
  'protoinfo-tcp-attrs': ['ctattr_protoinfo_tcp', 'CTA_PROTOINFO_TCP_', 'tcp-'],
  'protoinfo-dccp-attrs': ['ctattr_protoinfo_dccp', 'CTA_PROTOINFO_DCCP_', 'dccp-'],
  'protoinfo-sctp-attrs': ['ctattr_protoinfo_sctp', 'CTA_PROTOINFO_SCTP_', 'sctp-'],
  'counter-attrs': ['ctattr_counters', 'CTA_COUNTERS_'],
  'timestamp-attrs': ['ctattr_tstamp', 'CTA_TIMESTAMP_'],
  'nat-attrs': ['ctattr_nat', 'CTA_'],
  'nat-proto-attrs': ['ctattr_protonat', 'CTA_PROTONAT_', 'nat-'],
  'seqadj-attrs': ['ctattr_seqadj', 'CTA_SEQADJ_'],
  'synproxy-attrs': ['ctattr_synproxy', 'CTA_SYNPROXY_'],
  'help-attrs': ['ctattr_help', 'CTA_'],
  'secctx-attrs': ['ctattr_secctx', 'CTA_'],
  'filter-attrs': ['ctattr_filter', 'CTA_FILTER_'],
  'conntrack-stats-attrs': ['ctattr_stats_cpu', 'CTA_STATS_'],
  'conntrack-stats-global-attrs': ['ctattr_stats_global', 'CTA_STATS_GLOBAL_'],
  'expect-attrs': ['ctattr_expect', 'CTA_EXPECT_'],
  'expect-nat-attrs': ['ctattr_expect_nat', 'CTA_EXPECT_NAT_'],
  'expect-stats-attrs': ['ctattr_expect_stats', 'CTA_STATS_EXP_'],
};

const msg = (bytes: Uint8Array): MessageView => MessageView.from(bytes);

describe('the conntrack model', () => {
  const enums = headerEnums(readFileSync(HEADER, 'utf8'));

  it.each(Object.entries(SETS))('numbers %s as nfnetlink_conntrack.h does', (set, [enumName, prefix, strip]) => {
    const header = enums.get(enumName);
    expect(header, enumName).toBeDefined();
    const attrs = family.spec.attributeSets.find((s) => s.name === set)?.attributes;
    expect(attrs, set).toBeDefined();
    const mismatched: string[] = [];
    let checked = 0;
    for (const a of attrs!) {
      const name = strip !== undefined && a.name.startsWith(strip) ? a.name.slice(strip.length) : a.name;
      const cName = prefix + name.toUpperCase().replace(/-/g, '_');
      const value = header!.get(cName);
      if (value === undefined) continue; // newer than this header, or named otherwise (packets-old ...)
      checked++;
      if (value !== a.value) mismatched.push(`${a.name}: spec ${a.value}, ${cName} ${value}`);
    }
    expect(mismatched).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(Math.min(2, attrs!.length));
  });

  it('types CTA_TIMESTAMP as the nest of start and stop, and the NAT bounds by their ctattr_nat numbers', () => {
    const ct = family.spec.attributeSets.find((s) => s.name === 'conntrack-attrs')!.attributes.find((a) => a.name === 'timestamp')!;
    expect({ type: ct.type, nested: ct.nestedAttributes }).toEqual({ type: 'nest', nested: 'timestamp-attrs' });
    const nat = family.spec.attributeSets.find((s) => s.name === 'nat-attrs')!.attributes;
    expect(Object.fromEntries(nat.map((a) => [a.name, a.value]))).toEqual({ 'nat-v4-minip': 1, 'nat-v4-maxip': 2, 'nat-proto': 3, 'nat-v6-minip': 4, 'nat-v6-maxip': 5 });
  });

  it('gives the operations the message types of cntl_msg_types and ctnl_exp_msg_types, and the groups of nfnetlink_groups', () => {
    const ct = enums.get('cntl_msg_types')!;
    const exp = enums.get('ctnl_exp_msg_types')!;
    const requests: Record<string, number> = {
      get: 0x100 | ct.get('IPCTNL_MSG_CT_GET')!,
      new: 0x100 | ct.get('IPCTNL_MSG_CT_NEW')!,
      delete: 0x100 | ct.get('IPCTNL_MSG_CT_DELETE')!,
      'get-ctrzero': 0x100 | ct.get('IPCTNL_MSG_CT_GET_CTRZERO')!,
      'get-stats': 0x100 | ct.get('IPCTNL_MSG_CT_GET_STATS_CPU')!,
      'get-stats-global': 0x100 | ct.get('IPCTNL_MSG_CT_GET_STATS')!,
      'get-dying': 0x100 | ct.get('IPCTNL_MSG_CT_GET_DYING')!,
      'get-unconfirmed': 0x100 | ct.get('IPCTNL_MSG_CT_GET_UNCONFIRMED')!,
      'exp-new': 0x200 | exp.get('IPCTNL_MSG_EXP_NEW')!,
      'exp-get': 0x200 | exp.get('IPCTNL_MSG_EXP_GET')!,
      'exp-delete': 0x200 | exp.get('IPCTNL_MSG_EXP_DELETE')!,
      'exp-get-stats-cpu': 0x200 | exp.get('IPCTNL_MSG_EXP_GET_STATS_CPU')!,
    };
    expect(Object.fromEntries(Object.keys(requests).map((n) => [n, family.spec.operations.find((o) => o.name === n)?.requestValue]))).toEqual(requests);
    const notifications = Object.fromEntries(family.spec.operations.filter((o) => o.mcgrp !== undefined).map((o) => [o.name, o.replyValue]));
    expect(notifications).toEqual({ 'new-ntf': 0x100, 'delete-ntf': 0x102, 'exp-new-ntf': 0x200, 'exp-delete-ntf': 0x202 });
    const groups = headerEnums(readFileSync(NFNETLINK_HEADER, 'utf8')).get('nfnetlink_groups')!;
    expect(Object.fromEntries(family.spec.mcastGroups.map((g) => [g.name, g.value]))).toEqual({
      'conntrack-new': groups.get('NFNLGRP_CONNTRACK_NEW'),
      'conntrack-update': groups.get('NFNLGRP_CONNTRACK_UPDATE'),
      'conntrack-destroy': groups.get('NFNLGRP_CONNTRACK_DESTROY'),
      'conntrack-exp-new': groups.get('NFNLGRP_CONNTRACK_EXP_NEW'),
      'conntrack-exp-update': groups.get('NFNLGRP_CONNTRACK_EXP_UPDATE'),
      'conntrack-exp-destroy': groups.get('NFNLGRP_CONNTRACK_EXP_DESTROY'),
    });
  });
});

describe('captured conntrack messages', () => {
  it('decode as notifications: new and update events as new-ntf, destroy events (type 0x102) as delete-ntf', () => {
    for (const [name, bytes] of Object.entries(v)) {
      if (!name.startsWith('EVENT_')) continue;
      const d = family.decode(msg(bytes));
      expect(d.name, name).toBe(name.startsWith('EVENT_DESTROY') ? 'delete-ntf' : 'new-ntf');
    }
    expect(family.decode(msg(v.EXP_EVENT_NEW)).name).toBe('exp-new-ntf');
    expect(family.decode(msg(v.EXP_EVENT_DESTROY)).name).toBe('exp-delete-ntf');
  });

  it('give typed entries: tuples, NAT in the reply tuple, zone, mark, status, counters and timestamps', () => {
    const tcp = toConntrackEntry(family.ops.get.decodeReply(msg(v.DUMP_TCP_ZONE)));
    expect(tcp).toMatchObject({
      family: 'ipv4',
      protocol: 'tcp',
      original: { src: '10.1.0.1', dst: '10.1.0.2', sport: 40000, dport: 80 },
      reply: { src: '10.1.0.2', dst: '10.1.0.1', sport: 80, dport: 40000 },
      state: 'established',
      mark: 7,
      zone: 3,
      counters: { original: { packets: 0n, bytes: 0n }, reply: { packets: 0n, bytes: 0n } },
    });
    expect(tcp.status).toEqual(expect.arrayContaining(['assured', 'confirmed']));
    expect(typeof tcp.timestamp?.start).toBe('bigint');
    expect(tcp.timestamp?.stop).toBeUndefined();
    const snat = toConntrackEntry(family.ops.get.decodeReply(msg(v.DUMP_TCP_SNAT)));
    expect(snat.reply).toMatchObject({ src: '10.1.0.5', dst: '10.9.9.9', sport: 2, dport: 3000 });
    expect(snat.status).toEqual(expect.arrayContaining(['src-nat', 'src-nat-done']));
    const dnat = toConntrackEntry(family.ops.get.decodeReply(msg(v.DUMP_UDP_DNAT)));
    expect(dnat).toMatchObject({ protocol: 'udp', mark: 9, reply: { src: '10.9.9.8', sport: 5300 } });
    expect(dnat.status).toEqual(expect.arrayContaining(['dst-nat', 'dst-nat-done']));
    expect(toConntrackEntry(family.ops.get.decodeReply(msg(v.DUMP_ICMP)))).toMatchObject({
      protocol: 'icmp',
      original: { icmpType: 8, icmpCode: 0, icmpId: 77 },
      reply: { icmpType: 0, icmpCode: 0, icmpId: 77 },
    });
    expect(toConntrackEntry(family.ops.get.decodeReply(msg(v.DUMP_UDP6)))).toMatchObject({
      family: 'ipv6',
      original: { src: 'fd00::1', dst: 'fd00::2', sport: 1000, dport: 2000 },
    });
  });

  it('give destroy events their counters, both timestamps and the dying status', () => {
    const d = family.decode(msg(v.EVENT_DESTROY_UDP6));
    const e = toConntrackEntry(d.msg as never);
    expect(e).toMatchObject({ family: 'ipv6', protocol: 'udp', counters: { original: { packets: 0n } } });
    expect(e.status).toEqual(expect.arrayContaining(['confirmed', 'dying']));
    expect(e.timestamp!.stop! >= e.timestamp!.start!).toBe(true);
  });

  it('print as conntrack prints them', () => {
    const e = toConntrackEntry(family.ops.get.decodeReply(msg(v.DUMP_TCP_SNAT)));
    const now = Number(e.timestamp!.start! / 1_000_000_000n) + 5;
    expect(formatConntrackEntry({ ...e, timeout: 29, id: 1 }, { now, id: true })).toBe(
      `tcp      6 29 SYN_SENT src=10.1.0.1 dst=10.1.0.5 sport=1 dport=2 packets=0 bytes=0 [UNREPLIED] src=10.1.0.5 dst=10.9.9.9 sport=2 dport=3000 packets=0 bytes=0 mark=0 delta-time=5 use=${e.use} id=1`,
    );
    const icmp = toConntrackEntry(family.decode(msg(v.EVENT_DESTROY_ICMP)).msg as never);
    expect(formatConntrackEntry(icmp, { event: 'destroy', extended: true, now: 0 })).toMatch(
      /^\[DESTROY\] ipv4 {5}2 icmp {5}1 \d+ src=10\.1\.0\.1 dst=10\.1\.0\.4 type=8 code=0 id=77 packets=0 bytes=0 \[UNREPLIED\] src=10\.1\.0\.4 dst=10\.1\.0\.1 type=0 code=0 id=77 packets=0 bytes=0 delta-time=\d+$/,
    );
    const x = toConntrackExpectation(family.ops['exp-get'].decodeReply(msg(v.EXP_DUMP)));
    expect(formatConntrackExpectation(x)).toBe(
      `${x.timeout} proto=6 src=10.0.0.2 dst=10.0.0.1 sport=0 dport=2000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.0.0.1 master-dst=10.0.0.2 sport=1000 dport=21 class=0 helper=ftp`,
    );
    expect(formatConntrackExpectation(toConntrackExpectation(family.decode(msg(v.EXP_EVENT_DESTROY)).msg as never), 'destroy')).toMatch(/^\[DESTROY\] \d+ proto=6 /);
  });

  it('give the statistics: per-CPU counters, the global count, expectation counters (typed 0x103 by the kernel)', () => {
    const cpu0 = family.ops['get-stats'].decodeReply(msg(v.STATS_CPU_0));
    expect(cpu0['res-id']).toBe(0);
    expect(typeof cpu0.found).toBe('number');
    expect(typeof cpu0['chain-toolong']).toBe('number');
    expect(family.ops['get-stats'].decodeReply(msg(v.STATS_CPU_1))['res-id']).toBe(1);
    expect(family.ops['get-stats-global'].decodeReply(msg(v.STATS_GLOBAL))).toMatchObject({ entries: 5 });
    expect(msg(v.EXP_STATS_CPU_0).type).toBe(0x103);
    expect(family.ops['exp-get-stats-cpu'].decodeReply(msg(v.EXP_STATS_CPU_0))).toMatchObject({ new: 0, create: 0, delete: 0 });
  });

  it("decode conntrack's own requests, and encode the same fields back", () => {
    const create = family.ops.new.decodeRequest(msg(v.CREATE_REQUEST));
    expect(create).toMatchObject({
      'nfgen-family': 2,
      'tuple-orig': { 'tuple-ip': { 'ip-v4-src': '10.1.0.1', 'ip-v4-dst': '10.1.0.6' }, 'tuple-proto': { 'proto-num': 6, 'proto-src-port': 3, 'proto-dst-port': 4 } },
      timeout: 60,
      mark: 5,
      protoinfo: { 'protoinfo-tcp': { 'tcp-state': 'established' } },
    });
    const del = family.ops.delete.decodeRequest(msg(v.DELETE_REQUEST));
    expect(del['tuple-orig']?.['tuple-proto']).toMatchObject({ 'proto-num': 1, 'proto-icmp-type': 8, 'proto-icmp-id': 77 });
    for (const [op, bytes] of [
      ['new', v.CREATE_REQUEST],
      ['delete', v.DELETE_REQUEST],
    ] as const) {
      const decoded = family.ops[op].decodeRequest(msg(bytes));
      const again = new MessageWriter();
      family.ops[op].encodeRequest(again, decoded as never);
      expect(family.ops[op].decodeRequest(MessageView.from(again.finish()))).toEqual(decoded);
    }
  });
});
