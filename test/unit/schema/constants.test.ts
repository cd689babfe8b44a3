// The generated constants modules (src/families/generated/NAME.constants.ts):
// kernel C names formed by the YNL C generator's rules, with the kernel
// headers' values.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitConstantsModule } from '../../../src/schema/emit-constants.js';
import { GENERATED_MARKER } from '../../../src/schema/emit.js';
import { parseSpec } from '../../../src/schema/load.js';
import { parse as parseYaml } from 'yaml';
import { KERNEL_SPEC_DIR } from '../../helpers/specs.js';
import * as route from '../../../src/families/generated/rt-route.constants.js';
import * as link from '../../../src/families/generated/rt-link.constants.js';
import * as addr from '../../../src/families/generated/rt-addr.constants.js';
import * as neigh from '../../../src/families/generated/rt-neigh.constants.js';
import * as rule from '../../../src/families/generated/rt-rule.constants.js';
import * as ctrl from '../../../src/families/generated/nlctrl.constants.js';
import * as nft from '../../../src/families/generated/nftables.constants.js';

const GENERATED = join(import.meta.dirname, '../../../src/families/generated');

/**
 * Headers beside a family's uapi-header that define names its spec and
 * overlay number: tc's tcamsg, TCA_ROOT_* and TCA_ACT_FLAG_* and
 * TCM_IFINDEX_MAGIC_BLOCK are rtnetlink.h's, PGACT_* tc_gact.h's, the
 * mirred actions tc_mirred.h's.
 */
const EXTRA_HEADERS: Readonly<Record<string, readonly string[]>> = {
  tc: ['linux/rtnetlink.h', 'linux/tc_act/tc_gact.h', 'linux/tc_act/tc_mirred.h'],
};

describe('generated constants modules', () => {
  it('name attributes, enums, flags, messages, groups and structs as the kernel does', () => {
    expect([route.RTA_TABLE, link.IFLA_IFNAME, addr.IFA_LOCAL, neigh.NDA_DST, rule.FRA_PRIORITY, ctrl.CTRL_ATTR_FAMILY_ID]).toEqual([15, 3, 2, 1, 6, 1]);
    expect([route.RTN_UNICAST, link.IFF_UP, link.IFF_LOWER_UP, route.RTM_NEWROUTE, route.RTM_GETROUTE, ctrl.CTRL_CMD_GETFAMILY]).toEqual([1, 1, 0x10000, 24, 26, 3]);
    expect([route.RTNLGRP_IPV4_ROUTE, route.RTNLGRP_IPV6_ROUTE, link.RTNLGRP_LINK]).toEqual([7, 11, 1]);
    expect(route.RTMSG_SIZE).toBe(12);
    expect(route.RTMSG_OFFSETS).toEqual({ rtm_family: 0, rtm_dst_len: 1, rtm_src_len: 2, rtm_tos: 3, rtm_table: 4, rtm_protocol: 5, rtm_scope: 6, rtm_type: 7, rtm_flags: 8 });
    expect(route.RTM_TYPE_NAMES[route.RTN_BLACKHOLE]).toBe('blackhole');
    expect((route.RTM_TYPE_NAMES as readonly string[])[99]).toBeUndefined();
  });

  it('import nothing (a program that needs a number loads no codec)', () => {
    for (const f of ['rt-route', 'rt-link', 'rt-addr', 'rt-neigh', 'rt-rule', 'nlctrl']) {
      expect(readFileSync(join(GENERATED, `${f}.constants.ts`), 'utf8')).not.toMatch(/^import /m);
    }
  });

  it('follow ynl_gen_c.py: async-prefix, attribute name-prefix, const header, flag bits; first of two equal names wins; no non-identifiers', () => {
    const text = `
name: tiny
protocol: genetlink-legacy
definitions:
  - { name: key-len, type: const, value: 32, name-prefix: tk- }
  - { name: max-errno, type: const, value: 4095, header: linux/err.h }
  - { name: plain, type: const, value: 7 }
  - name: modes
    type: enum
    entries: [off, 'on.x', fast]
  - name: bits
    type: flags
    name-prefix: tiny-b-
    entries: [a, { name: b, value: 31 }, { name: c, c-name: TINY_B_Special }]
  - name: again
    type: enum
    name-prefix: tiny-b-
    entries: [a]
attribute-sets:
  - name: main
    attributes:
      - { name: id, type: u32 }
      - { name: odd, type: u8, name-prefix: tiny-x- }
  - name: sub
    subset-of: main
    attributes: [{ name: odd }]
operations:
  name-prefix: tiny-cmd-
  async-prefix: tiny-ntf-
  list:
    - { name: get, attribute-set: main, do: { request: { attributes: [id] } } }
    - { name: changed, attribute-set: main, event: { attributes: [id] } }
`;
    const spec = parseSpec(text);
    const out = emitConstantsModule(spec, parseYaml(text), 'tiny.yaml', GENERATED_MARKER);
    const consts = Object.fromEntries([...out.matchAll(/export const (\w+) = (-?(?:0x[0-9a-f]+n?|\d+));/g)].map((m) => [m[1], m[2]]));
    expect(consts).toEqual({
      TINY_CMD_GET: '1',
      TINY_NTF_CHANGED: '2',
      TK_KEY_LEN: '32',
      MAX_ERRNO: '4095',
      TINY_PLAIN: '7',
      TINY_MODES_OFF: '0',
      TINY_MODES_FAST: '2',
      TINY_B_A: '0x1',
      TINY_B_B: '0x80000000',
      TINY_B_Special: '0x100000000',
      TINY_A_MAIN_ID: '1',
      TINY_X_ODD: '2',
    });
    expect(out).toContain('export const MODES_NAMES = ["off", "on.x", "fast"] as const;');
    expect(out).toContain('export const BITS_NAMES: { readonly [value: number]: string | undefined } = { 1: "a", 2147483648: "b", 4294967296: "c" };');
    expect(out.startsWith(GENERATED_MARKER)).toBe(true);
  });

  it("have the values of the kernel's headers for every name the headers define (rtnetlink, nlctrl, nfnetlink)", () => {
    const mods: Record<string, unknown>[] = [route, link, addr, neigh, rule, ctrl, nft];
    const ours = new Map<string, number>();
    for (const m of mods) for (const [k, v] of Object.entries(m)) if (typeof v === 'number' && /^[A-Z][A-Z0-9_]*$/.test(k) && !/_(SIZE)$/.test(k)) ours.set(k, v);
    const headers = [
      'rtnetlink',
      'if_link',
      'if_addr',
      'neighbour',
      'fib_rules',
      'net_namespace',
      'netconf',
      'if',
      'if_arp',
      'lwtunnel',
      'genetlink',
      'if_bridge',
      'if_bonding',
      'mpls_iptunnel',
      'seg6_iptunnel',
      'veth',
      'if_tunnel',
      'if_tun',
      'in_route',
      'netfilter',
      'netfilter/nfnetlink',
      'netfilter/nf_tables',
    ].map((h) => `linux/${h}.h`);
    const { checked, wrong } = againstHeaders(ours, headers);
    expect(checked).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
  }, 60_000);

  it("have the values of each kernel family's own uapi header, where this machine has it", () => {
    let families = 0;
    let names = 0;
    const wrong: string[] = [];
    for (const file of readdirSync(KERNEL_SPEC_DIR).filter((f) => f.endsWith('.yaml'))) {
      const text = readFileSync(join(KERNEL_SPEC_DIR, file), 'utf8');
      const name = /^name: (\S+)/m.exec(text)![1]!;
      // ynl_gen_c.py: uapi-header, else linux/IDENT.h.
      const header = /^uapi-header: (\S+)/m.exec(text)?.[1] ?? `linux/${name.replace(/-/g, '_')}.h`;
      if (!existsSync(join('/usr/include', header))) continue;
      const ours = new Map<string, number>();
      for (const m of readFileSync(join(GENERATED, `${name}.constants.ts`), 'utf8').matchAll(/export const ([A-Z][A-Z0-9_]*) = (-?(?:0x[0-9a-f]+|\d+));/g)) {
        if (!m[1]!.endsWith('_SIZE')) ours.set(m[1]!, Number(m[2]));
      }
      const r = againstHeaders(ours, ['sys/socket.h', 'linux/types.h', header, ...(EXTRA_HEADERS[name] ?? [])]);
      families++;
      names += r.checked;
      wrong.push(...r.wrong.map((w) => `${name}: ${w}`));
    }
    // This machine's headers (Linux 6.1) have rt-*, nlctrl, devlink, nl80211, tc, ovs_*, team, wireguard, fou, tcp_metrics.
    expect(families).toBeGreaterThanOrEqual(10);
    expect(names).toBeGreaterThan(2000);
    expect(wrong).toEqual([]);
  }, 120_000);
});

/**
 * Compares constants with what C headers define: the names the headers define
 * (macros, and identifiers left after preprocessing: enum constants) are
 * printed by a C program built with cc.
 */
function againstHeaders(ours: ReadonlyMap<string, number>, headers: readonly string[]): { checked: number; wrong: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-consts-'));
  try {
    const includes = headers.map((h) => `#include <${h}>\n`).join('');
    writeFileSync(join(dir, 'h.c'), includes);
    const macros = execFileSync('cc', ['-E', '-dM', join(dir, 'h.c')], { encoding: 'utf8' });
    const text = execFileSync('cc', ['-E', '-P', join(dir, 'h.c')], { encoding: 'utf8' });
    const defined = new Set([...macros.matchAll(/^#define (\w+) /gm)].map((m) => m[1]!));
    for (const m of text.matchAll(/\b[A-Z][A-Z0-9_]+\b/g)) defined.add(m[0]);
    const names = [...ours.keys()].filter((k) => defined.has(k));
    const c = `${includes}#include <stdio.h>\nint main(void) {\n${names.map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${n}));\n`).join('')}  return 0;\n}\n`;
    writeFileSync(join(dir, 'p.c'), c);
    execFileSync('cc', ['-w', '-o', join(dir, 'p'), join(dir, 'p.c')]);
    const theirs = execFileSync(join(dir, 'p'), { encoding: 'utf8' }).split('\n').filter(Boolean);
    const wrong = theirs
      .map((l) => l.split(' '))
      .filter(([n, v]) => ours.get(n!) !== Number(v))
      .map(([n, v]) => `${n}: ours ${ours.get(n!)}, kernel ${v}`);
    return { checked: theirs.length, wrong };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
