// Every kernel spec loads and compiles, with the counts of
// ../shared/ynl-specs/SOURCE.md, and numbering as the kernel's nlspec.py does it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFamily } from '../../../src/schema/compile.js';
import { loadSpec } from '../../../src/schema/load.js';
import { cName, indexSpec, type FamilySpec } from '../../../src/schema/model.js';

const SPEC_DIR = join(import.meta.dirname, '../../../../shared/ynl-specs/specs');
const load = (file: string): FamilySpec => loadSpec(join(SPEC_DIR, file));

// file: [family, protocol, attribute sets, operations, definitions, mcast groups, sub-messages] (SOURCE.md)
const TABLE: Record<string, [string, string, number, number, number, number, number]> = {
  'binder.yaml': ['binder', 'genetlink', 1, 1, 0, 1, 0],
  'conntrack.yaml': ['conntrack', 'netlink-raw', 17, 2, 6, 0, 0],
  'dev-energymodel.yaml': ['dev-energymodel', 'genetlink', 3, 5, 2, 1, 0],
  'devlink.yaml': ['devlink', 'genetlink-legacy', 39, 57, 24, 0, 0],
  'dpll.yaml': ['dpll', 'genetlink', 6, 12, 18, 1, 0],
  'drm_ras.yaml': ['drm-ras', 'genetlink', 2, 3, 1, 0, 0],
  'ethtool.yaml': ['ethtool', 'genetlink-legacy', 62, 74, 11, 1, 0],
  'fou.yaml': ['fou', 'genetlink-legacy', 1, 4, 1, 0, 0],
  'handshake.yaml': ['handshake', 'genetlink', 3, 3, 4, 2, 0],
  'lockd.yaml': ['lockd', 'genetlink', 1, 2, 0, 0, 0],
  'mptcp_pm.yaml': ['mptcp_pm', 'genetlink-legacy', 5, 12, 1, 0, 0],
  'net_shaper.yaml': ['net-shaper', 'genetlink', 4, 5, 3, 0, 0],
  'netdev.yaml': ['netdev', 'genetlink', 12, 16, 7, 2, 0],
  'nfsd.yaml': ['nfsd', 'genetlink', 21, 19, 3, 2, 0],
  'nftables.yaml': ['nftables', 'netlink-raw', 48, 33, 25, 1, 2],
  'nl80211.yaml': ['nl80211', 'genetlink-legacy', 16, 3, 5, 7, 0],
  'nlctrl.yaml': ['nlctrl', 'genetlink-legacy', 5, 2, 2, 0, 0],
  'ovpn.yaml': ['ovpn', 'genetlink', 16, 11, 4, 1, 0],
  'ovs_datapath.yaml': ['ovs_datapath', 'genetlink-legacy', 1, 3, 4, 1, 0],
  'ovs_flow.yaml': ['ovs_flow', 'genetlink-legacy', 13, 2, 22, 1, 0],
  'ovs_packet.yaml': ['ovs_packet', 'genetlink-legacy', 1, 3, 1, 0, 0],
  'ovs_vport.yaml': ['ovs_vport', 'genetlink-legacy', 3, 3, 3, 1, 0],
  'psp.yaml': ['psp', 'genetlink', 5, 12, 1, 2, 0],
  'rt-addr.yaml': ['rt-addr', 'netlink-raw', 1, 4, 3, 2, 0],
  'rt-link.yaml': ['rt-link', 'netlink-raw', 37, 6, 37, 2, 2],
  'rt-neigh.yaml': ['rt-neigh', 'netlink-raw', 3, 7, 9, 1, 0],
  'rt-route.yaml': ['rt-route', 'netlink-raw', 2, 5, 4, 2, 0],
  'rt-rule.yaml': ['rt-rule', 'netlink-raw', 1, 5, 5, 2, 0],
  'sunrpc_cache.yaml': ['sunrpc', 'genetlink', 6, 6, 1, 2, 0],
  'tc.yaml': ['tc', 'netlink-raw', 69, 12, 67, 1, 3],
  'tcp_metrics.yaml': ['tcp_metrics', 'genetlink-legacy', 2, 2, 1, 0, 0],
  'team.yaml': ['team', 'genetlink-legacy', 5, 4, 2, 0, 0],
  'wireguard.yaml': ['wireguard', 'genetlink-legacy', 3, 2, 5, 0, 0],
};

describe('the kernel specs', () => {
  it('are the 33 of SOURCE.md', () => {
    expect(
      readdirSync(SPEC_DIR)
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
    ).toEqual(Object.keys(TABLE).sort());
  });

  it.each(Object.entries(TABLE))('%s loads with the expected counts and compiles', (file, [name, protocol, sets, ops, defs, groups, subs]) => {
    const spec = load(file);
    expect([spec.name, spec.protocol, spec.attributeSets.length, spec.operations.length, spec.definitions.length, spec.mcastGroups.length, spec.subMessages.length]).toEqual([
      name,
      protocol,
      sets,
      ops,
      defs,
      groups,
      subs,
    ]);
    expect(spec.protonum).toBe(protocol === 'netlink-raw' ? (name.startsWith('rt-') || name === 'tc' ? 0 : 12) : 16);
    const family = compileFamily(spec);
    expect(family.sets.size).toBe(sets);
    expect(JSON.stringify(spec)).not.toMatch(/"doc"/);
  });
});

describe('numbering, as nlspec.py does it', () => {
  it('numbers directional netlink-raw messages per direction', () => {
    const ops = indexSpec(load('rt-link.yaml')).operations;
    const ids = (n: string) => [ops.get(n)!.requestValue, ops.get(n)!.replyValue, ops.get(n)!.value];
    expect(ids('newlink')).toEqual([16, undefined, undefined]);
    expect(ids('newlink-ntf')).toEqual([undefined, 16, undefined]);
    expect(ids('dellink')).toEqual([17, undefined, undefined]);
    expect(ids('getlink')).toEqual([18, 16, undefined]);
    expect(ids('setlink')).toEqual([19, undefined, undefined]);
  });

  it('numbers directional genetlink commands (nlctrl) and gives nlctrl its fixed id', () => {
    const spec = load('nlctrl.yaml');
    const ops = indexSpec(spec).operations;
    expect([ops.get('getfamily')!.requestValue, ops.get('getfamily')!.replyValue]).toEqual([3, 1]);
    expect([ops.get('getpolicy')!.requestValue, ops.get('getpolicy')!.replyValue]).toEqual([10, 10]);
    expect(spec.staticFamilyId).toBe(16);
  });

  it('numbers unified operations from 1, restarting at an explicit value', () => {
    const fou = indexSpec(load('fou.yaml')).operations;
    expect([fou.get('unspec')!.value, fou.get('add')!.value, fou.get('del')!.value, fou.get('get')!.value]).toEqual([0, 1, 2, 3]);
    const ovs = indexSpec(load('ovs_datapath.yaml')).operations;
    expect([ovs.get('get')!.value, ovs.get('new')!.value, ovs.get('del')!.value]).toEqual([3, 1, 2]);
  });

  it('numbers attributes from 1, restarting at an explicit value, and keeps parent numbers in subsets', () => {
    const idx = indexSpec(load('rt-route.yaml'));
    const metrics = idx.attributes.get('metrics')!;
    expect([metrics.get('unspec')!.value, metrics.get('lock')!.value, metrics.get('mtu')!.value]).toEqual([0, 1, 2]);
    expect(idx.attributes.get('route-attrs')!.get('dst')!.value).toBe(1);
    const devlink = indexSpec(load('devlink.yaml'));
    const parent = devlink.attributes.get('devlink')!;
    for (const a of devlink.sets.get('dl-dpipe-table')!.attributes) expect(a.value).toBe(parent.get(a.name)!.value);
  });

  it('counts enums from value-start and flags by bit', () => {
    const tc = indexSpec(load('tc.yaml'));
    const drm = indexSpec(load('drm_ras.yaml'));
    for (const e of [...tc.enums.values(), ...drm.enums.values()]) expect(e.entries.every((x) => Number.isInteger(x.value))).toBe(true);
    const rt = indexSpec(load('rt-link.yaml'));
    expect(rt.enums.get('rtext-filter')!.entries.map((e) => e.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('resolves constants and limits in checks and struct lengths', () => {
    const wg = indexSpec(load('wireguard.yaml'));
    expect(wg.attributes.get('wgdevice')!.get('private-key')!.checks).toEqual({ exactLen: 32 });
    const netdev = indexSpec(load('netdev.yaml'));
    const checks = [...netdev.attributes.values()]
      .flatMap((m) => [...m.values()])
      .map((a) => a.checks)
      .filter((c) => c.max !== undefined);
    expect(checks.some((c) => c.max === 0xffffffff)).toBe(true);
  });

  it('gives C names from the prefixes', () => {
    const spec = load('rt-route.yaml');
    expect(cName(spec.opNamePrefix, 'getroute')).toBe('RTM_GETROUTE');
    expect(cName(indexSpec(spec).sets.get('route-attrs')!.namePrefix, 'dst')).toBe('RTA_DST');
  });
});

describe('spec strings in generated code', () => {
  const nasty = ['"); globalThis.pwned = 1; ("', '`${globalThis.pwned = 2}`', '*/ globalThis.pwned = 3; /*', '\u2028x\\'];
  const text = `
name: evil
protocol: netlink-raw
protonum: 31
doc: strings that would break out of generated code if pasted unquoted
definitions:
  - name: kinds
    type: enum
    entries: ${JSON.stringify(nasty)}
attribute-sets:
  - name: main
    attributes:
      - name: kind
        type: string
      - name: mode
        type: u32
        enum: kinds
      - name: data
        type: sub-message
        sub-message: msg
        selector: kind
  - name: inner
    attributes:
      - name: x
        type: u8
sub-messages:
  - name: msg
    formats:
${nasty.map((v) => `      - value: ${JSON.stringify(v)}\n        attribute-set: inner`).join('\n')}
operations:
  list:
    - name: get
      doc: get
      attribute-set: main
      do:
        request:
          attributes: [ kind ]
`;

  it('are quoted: compiling and using the family runs none of them', async () => {
    const { parseSpec } = await import('../../../src/schema/load.js');
    const { emitFamilyModule } = await import('../../../src/schema/emit.js');
    const { MessageWriter } = await import('../../../src/core/writer.js');
    const spec = parseSpec(text, { fileName: 'evil.yaml' });
    const family = compileFamily(spec);
    const set = family.sets.get('main')!;
    for (const [i, v] of nasty.entries()) {
      const w = new MessageWriter();
      w.beginMessage(0x100);
      set.encode(w, { kind: v, mode: v, data: { x: i } });
      w.endMessage();
      expect(set.decode(w.finish(), 16)).toMatchObject({ kind: v, mode: v, data: { x: i } });
    }
    const module = emitFamilyModule(spec, 'evil.yaml');
    expect(module).toContain(JSON.stringify(nasty[0]));
    const ts = (await import('typescript')).default;
    const out = ts.transpileModule(module, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    expect(out.diagnostics ?? []).toEqual([]);
    // The model survives its trip through the generated JSON text.
    const { reviveSpec } = await import('../../../src/schema/model.js');
    const json = /reviveSpec\(`\n([\s\S]*?)\n`\);/.exec(module)![1]!;
    expect(reviveSpec(new Function(`return \`${json}\`;`)() as string)).toEqual(spec);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });
});
