// Names of rtnetlink numbers (src/cli/ip/names.ts): the tables built into
// iproute2 6.1 (lib/rt_names.c, lib/ll_types.c) and the files under
// /etc/iproute2 that extend them. The files are served from a fake file
// system here, so the tests do not depend on this machine's /etc.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NUD_STATE_NAMES, ROUTE_TYPE_NAMES } from '../../../../src/families/route/names.js';

const fakeFs = vi.hoisted(() => ({ files: new Map<string, string>(), reads: [] as string[] }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const missing = (p: unknown): Error => Object.assign(new Error(`ENOENT: no such file or directory, open '${String(p)}'`), { code: 'ENOENT' });
  return {
    ...fs,
    readFileSync: (p: unknown) => {
      fakeFs.reads.push(String(p));
      const text = fakeFs.files.get(String(p));
      if (text === undefined) throw missing(p);
      return text;
    },
    readdirSync: (p: unknown) => {
      const dir = `${String(p)}/`;
      const names = [...fakeFs.files.keys()].filter((f) => f.startsWith(dir)).map((f) => f.slice(dir.length));
      if (names.length === 0) throw missing(p);
      // Not in order: readdir order is the file system's.
      return names.reverse();
    },
  };
});

type Names = typeof import('../../../../src/cli/ip/names.js');

/** A fresh copy of names.ts (it reads the files once) over the given files. */
async function namesWith(files: Record<string, string>): Promise<Names> {
  fakeFs.files = new Map(Object.entries(files));
  fakeFs.reads = [];
  vi.resetModules();
  return import('../../../../src/cli/ip/names.js');
}

describe('built-in names (no files under /etc/iproute2)', () => {
  let n: Names;
  beforeEach(async () => {
    n = await namesWith({});
  });

  it('names the reserved routing tables, and numbers the rest', () => {
    expect([0, 253, 254, 255, 100, 1000, 4294967295].map(n.tableName)).toEqual(['unspec', 'default', 'main', 'local', '100', '1000', '4294967295']);
    expect(['unspec', 'default', 'main', 'local'].map(n.tableNumber)).toEqual([0, 253, 254, 255]);
  });

  it('reads table numbers in decimal, hex and octal, and nothing else', () => {
    expect(['100', '0x64', '0X64', '0144', '0'].map(n.tableNumber)).toEqual([100, 100, 100, 100, 0]);
    expect(['Main', 'mai', 'all', '', '-1', '1.0', 'x100'].map(n.tableNumber)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('names route protocols as rt_protos does', () => {
    const PROTOS = [
      [0, 'unspec'],
      [1, 'redirect'],
      [2, 'kernel'],
      [3, 'boot'],
      [4, 'static'],
      [8, 'gated'],
      [9, 'ra'],
      [10, 'mrt'],
      [11, 'zebra'],
      [12, 'bird'],
      [13, 'dnrouted'],
      [14, 'xorp'],
      [15, 'ntk'],
      [16, 'dhcp'],
      [18, 'keepalived'],
      [42, 'babel'],
      [99, 'openr'],
      [186, 'bgp'],
      [187, 'isis'],
      [188, 'ospf'],
      [189, 'rip'],
      [192, 'eigrp'],
    ] as const;
    for (const [num, name] of PROTOS) {
      expect(n.protoName(num)).toBe(name);
      expect(n.protoNumber(name)).toBe(num);
    }
    expect([5, 17, 200, 255].map(n.protoName)).toEqual(['5', '17', '200', '255']);
    expect(n.protoNumber('0x2a')).toBe(42);
    expect(n.protoNumber('Kernel')).toBeUndefined();
  });

  it('names scopes as rt_scopes does', () => {
    expect([0, 200, 253, 254, 255, 1].map(n.scopeName)).toEqual(['global', 'site', 'link', 'host', 'nowhere', '1']);
    expect(['global', 'site', 'link', 'host', 'nowhere', '100', 'universe'].map(n.scopeNumber)).toEqual([0, 200, 253, 254, 255, 100, undefined]);
  });

  // The ranges of rt_names.c's readers: `ip route add 10.9.0.0/16 dev lo proto 300` is refused
  // ('"protocol" value is invalid'), not installed as proto 44 (300 & 0xff); a table goes up to 2^32-1.
  it('reads numbers only within the range ip allows for each table', () => {
    expect(['255', '0xff', '256', '300', '4294967340'].map(n.protoNumber)).toEqual([255, 255, undefined, undefined, undefined]);
    expect(['255', '256', '999'].map(n.scopeNumber)).toEqual([255, undefined, undefined]);
    expect(['4294967295', '4294967296', '18446744073709551616'].map(n.tableNumber)).toEqual([4294967295, undefined, undefined]);
    expect(['5', '255', '256', 'x'].map(n.realmNumber)).toEqual([5, 255, undefined, undefined]);
  });

  it('reads realms as SRC/DST, a lone DST, or the raw number (get_rt_realms_or_raw)', () => {
    expect(['5', '1/5', '1/', '/5', '65536', '300/1', 'x/y'].map(n.realmsNumber)).toEqual([5, (1 << 16) | 5, 1 << 16, undefined, 65536, undefined, undefined]);
  });

  // rtnl_dsfield_a2n() reads numbers in hex: `tos 10` is 0x10.
  it('reads a TOS in hex, and names it 0x%02x', () => {
    expect(['10', '0x10', 'ff', '100', 'x'].map(n.dsfieldNumber)).toEqual([0x10, 0x10, 0xff, undefined, undefined]);
    expect([0x10, 0x04].map(n.dsfieldName)).toEqual(['0x10', '0x04']);
  });

  // rtnl_group_a2n() keeps strtol()'s value in an int: 2^32 wraps to 0, 2^31 is negative.
  it('reads a group as a non-negative int', () => {
    expect(['0', '7', '-1', '2147483647', '2147483648', '4294967296'].map(n.groupNumber)).toEqual([0, 7, undefined, 2147483647, undefined, 0]);
  });

  it('names link group 0 only', () => {
    expect([0, 1].map(n.groupName)).toEqual(['default', '1']);
    expect(['default', '7', 'other'].map(n.groupNumber)).toEqual([0, 7, undefined]);
  });

  it('names route types by RTN_* number', () => {
    const TYPES = ['none', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];
    expect(ROUTE_TYPE_NAMES).toEqual(TYPES);
    expect(TYPES.map((_, i) => n.rtnTypeName(i))).toEqual(TYPES);
    expect(n.rtnTypeName(12)).toBe('12');
    expect(TYPES.slice(1).map(n.rtnTypeNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // RTN_UNSPEC has no name to be asked for by (rtnl_rtntype_a2n does not know "none");
    // most names are taken by prefix, "b" being broadcast and "u" unreachable (rtm_map.c), but not "loc" or "thr".
    expect(['none', '0', '6', '0x6', 'Blackhole', '256'].map(n.rtnTypeNumber)).toEqual([undefined, 0, 6, 6, undefined, undefined]);
    expect(['black', 'b', 'brd', 'u', 'p', 'm', 'a', 'x', 'loc', 'thr', 'na'].map(n.rtnTypeNumber)).toEqual([6, 3, 3, 7, 8, 5, 4, 11, undefined, undefined, undefined]);
  });

  it('names link types as ll_type_n2a does, "[N]" when unknown', () => {
    const TYPES = [
      [1, 'ether'],
      [772, 'loopback'],
      [776, 'sit'],
      [778, 'gre'],
      [823, 'gre6'],
      [65534, 'none'],
      [65535, 'void'],
      [0, 'netrom'],
      [519, 'rawip'],
    ] as const;
    for (const [num, name] of TYPES) expect(n.linkTypeName(num)).toBe(name);
    expect([9999, -1].map(n.linkTypeName)).toEqual(['[9999]', '[-1]']);
  });

  it('lists neighbour states in nud_state_n2a order and reads them as nud_state_a2n does', () => {
    expect(NUD_STATE_NAMES).toEqual([
      [0x01, 'INCOMPLETE'],
      [0x02, 'REACHABLE'],
      [0x04, 'STALE'],
      [0x08, 'DELAY'],
      [0x10, 'PROBE'],
      [0x20, 'FAILED'],
      [0x40, 'NOARP'],
      [0x80, 'PERMANENT'],
    ]);
    // Lower case only; permanent, reachable and failed by prefix; a number must be one state bit.
    for (const [num, name] of NUD_STATE_NAMES) {
      expect(n.nudStateNumber(name.toLowerCase())).toBe(num);
      expect(n.nudStateNumber(name)).toBeUndefined();
    }
    expect(['none', 'Permanent', '0x80', '4', 'perm', 'reach', 'f', 'bogus', '3', '0x100', ''].map(n.nudStateNumber)).toEqual([
      0,
      undefined,
      0x80,
      4,
      0x80,
      0x02,
      0x20,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads the files once, on first use, not on import', async () => {
    expect(fakeFs.reads).toEqual([]);
    n.tableName(254);
    n.protoName(3);
    const first = [...fakeFs.reads];
    expect(first).toEqual([
      '/etc/iproute2/rt_tables',
      '/etc/iproute2/rt_protos',
      '/etc/iproute2/rt_scopes',
      '/etc/iproute2/group',
      '/etc/iproute2/rt_realms',
      '/etc/iproute2/rt_dsfield',
    ]);
    n.scopeName(0);
    n.groupName(0);
    expect(fakeFs.reads).toEqual(first);
  });
});

describe('names from /etc/iproute2', () => {
  const FILES = {
    '/etc/iproute2/rt_tables': [
      '#',
      '# reserved values',
      '#',
      '255\tlocal',
      '254\tmain',
      '253\tdefault',
      '0\tunspec',
      '',
      '  100   vpn   # the tunnel',
      '0x65 mgmt',
      '#102 commented',
      'garbage line',
      '103',
    ].join('\n'),
    '/etc/iproute2/rt_tables.d/b.conf': '200 blue\n201 shared\n',
    '/etc/iproute2/rt_tables.d/a.conf': '201 first\n202 alpha\n',
    '/etc/iproute2/rt_tables.d/c.txt': '300 ignored\n',
    '/etc/iproute2/rt_protos': '0 unspec\n2 kernel\n250 mydaemon\n',
    '/etc/iproute2/rt_protos.d/x.conf': '251 other\n',
    '/etc/iproute2/rt_scopes': '0 global\n100 campus\n',
    '/etc/iproute2/group': '0 default\n5 uplinks\n',
    '/etc/iproute2/rt_realms': '0\tcosmos\n5\toffice\n',
    '/etc/iproute2/rt_dsfield': '0x0\tdefault\n0x28\tAF11\n',
  };
  let n: Names;
  beforeEach(async () => {
    n = await namesWith(FILES);
  });

  it('adds the tables of rt_tables, skipping comments, blank and broken lines', () => {
    expect([100, 101, 102, 103, 254].map(n.tableName)).toEqual(['vpn', 'mgmt', '102', '103', 'main']);
    expect(['vpn', 'mgmt', 'commented', 'garbage'].map(n.tableNumber)).toEqual([100, 101, undefined, undefined]);
  });

  it('adds every .conf file of rt_tables.d, in name order (a later file renames a number)', () => {
    expect([200, 201, 202, 300].map(n.tableName)).toEqual(['blue', 'shared', 'alpha', '300']);
    expect(['blue', 'first', 'shared', 'alpha', 'ignored'].map(n.tableNumber)).toEqual([200, 201, 201, 202, undefined]);
  });

  it('adds protocols from rt_protos and rt_protos.d, keeping the built-in ones', () => {
    expect([250, 251, 3, 186].map(n.protoName)).toEqual(['mydaemon', 'other', 'boot', 'bgp']);
    expect(n.protoNumber('mydaemon')).toBe(250);
  });

  it('adds realms and DS field names, by name and in realms pairs', () => {
    expect([0, 5, 6].map(n.realmName)).toEqual(['cosmos', 'office', '6']);
    expect(n.realmsNumber('office/cosmos')).toBe(5 << 16);
    expect([n.dsfieldName(0x28), n.dsfieldNumber('AF11'), n.dsfieldName(0x30)]).toEqual(['AF11', 0x28, '0x30']);
  });

  it('adds scopes and link groups', () => {
    expect([n.scopeName(100), n.scopeNumber('campus'), n.scopeName(253)]).toEqual(['campus', 100, 'link']);
    expect([n.groupName(5), n.groupNumber('uplinks'), n.groupName(0)]).toEqual(['uplinks', 5, 'default']);
  });
});
