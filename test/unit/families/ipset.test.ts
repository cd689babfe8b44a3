// ipset without a kernel: captured replies decode to the typed sets and print
// as ipset prints them; requests carry the attributes, values and
// NLA_F_NET_BYTEORDER flags ipset 7.17 itself sends; kernel errnos read as
// ipset reads them.
import { beforeAll, describe, expect, it } from 'vitest';
import { MessageView, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST } from '../../../src/index.js';
import { formatElement, formatEntryOptions, formatHeaderOptions, parseElement, TYPES } from '../../../src/cli/ipset/types.js';
import { family } from '../../../src/families/generated/ipset.js';
import {
  createData,
  encodeIpsetRequest,
  entryData,
  ipsetErrorMeaning,
  markNetByteOrder,
  toIpsetEntry,
  toIpsetHeader,
  type IpsetEntry,
} from '../../../src/families/netfilter/ipset.js';
import type { CmdAttrs } from '../../../src/families/generated/ipset.js';
import * as v from '../../vectors/ipset.js';
import { loadIpsetFamily } from '../../../src/families/netfilter/index.js';

// The standalone decoders and encoders use the generated ipset family, which 'nlkit' loads on first use.
beforeAll(async () => {
  await loadIpsetFamily();
});

function listed(bytes: Uint8Array): { header: ReturnType<typeof toIpsetHeader>; members: IpsetEntry[] } {
  const m = family.ops.list.decodeReply(MessageView.from(bytes)) as CmdAttrs;
  return { header: toIpsetHeader(m), members: (m.adt?.data ?? []).map(toIpsetEntry) };
}

/** Attributes as a sorted list of "type(flags): payload" lines, nests walked (they have NLA_F_NESTED). */
function tree(bytes: Uint8Array, start = 20, end = bytes.length, prefix = ''): string[] {
  const out: string[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = start; at + 4 <= end;) {
    const len = dv.getUint16(at, true);
    const raw = dv.getUint16(at + 2, true);
    const name = `${prefix}${raw & 0x3fff}${raw & 0x8000 ? 'N' : ''}${raw & 0x4000 ? 'B' : ''}`;
    if (raw & 0x8000) out.push(...tree(bytes, at + 4, at + len, `${name}.`));
    else out.push(`${name}: ${Buffer.from(bytes.subarray(at + 4, at + len)).toString('hex')}`);
    at += (len + 3) & ~3;
  }
  return out.sort();
}

describe('ipset replies', () => {
  it('decode a hash:ip,port listing with timeouts, counters and comments', () => {
    const { header, members } = listed(v.LIST_HASH_IP_PORT);
    expect(header).toEqual({
      name: 't',
      type: 'hash:ip,port',
      revision: 7,
      family: 'inet',
      hashsize: 1024,
      maxelem: 65536,
      timeout: 300,
      counters: true,
      comment: true,
      forceadd: false,
      skbinfo: false,
      bucketsize: 12,
      initval: 0x1234,
      memsize: 459,
      references: 0,
      elements: 2,
    });
    expect(members).toEqual([
      { ip: '1.2.3.5', port: 0x0800, proto: 1, timeout: 0, packets: 0n, bytes: 0n },
      { ip: '1.2.3.4', port: 53, proto: 17, timeout: 0, packets: 3n, bytes: 4n, comment: 'hi' },
    ]);
  });

  it('print as ipset list prints them', () => {
    const t = listed(v.LIST_HASH_IP_PORT);
    const type = TYPES.get('hash:ip,port');
    expect(formatHeaderOptions(type, t.header)).toBe(' family inet hashsize 1024 maxelem 65536 timeout 300 counters comment bucketsize 12 initval 0x00001234');
    expect(t.members.map((m) => formatElement('hash:ip,port', 'inet', m) + formatEntryOptions(type, m))).toEqual([
      '1.2.3.5,icmp:echo-request timeout 0 packets 0 bytes 0',
      '1.2.3.4,udp:53 timeout 0 packets 3 bytes 4 comment "hi"',
    ]);
    const n = listed(v.LIST_HASH_NET_IFACE6);
    expect(n.header).toMatchObject({ name: 'n', type: 'hash:net,iface', revision: 8, family: 'inet6', initval: 0x99 });
    expect(formatHeaderOptions(TYPES.get('hash:net,iface'), n.header)).toBe(' family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0x00000099');
    expect(n.members.map((m) => formatElement('hash:net,iface', 'inet6', m) + formatEntryOptions(TYPES.get('hash:net,iface'), m))).toEqual(['2001:db8::/32,physdev:eth0 nomatch']);
    const p = listed(v.LIST_BITMAP_PORT);
    expect(p.header).toMatchObject({ family: 'unspec', range: { from: 10, to: 20 }, references: 1, elements: 1 });
    expect(formatHeaderOptions(TYPES.get('bitmap:port'), p.header)).toBe(' range 10-20');
    expect(p.members).toEqual([{ port: 12 }]);
    const l = listed(v.LIST_LIST_SET);
    expect(formatHeaderOptions(TYPES.get('list:set'), l.header)).toBe(' size 8');
    expect(l.members).toEqual([{ name: 'p' }]);
  });

  it('decode the protocol, type and header replies', () => {
    expect(family.ops.protocol.decodeReply(MessageView.from(v.PROTOCOL_REPLY))).toMatchObject({ protocol: 7, 'protocol-min': 6 });
    expect(family.ops.type.decodeReply(MessageView.from(v.TYPE_REPLY))).toMatchObject({ typename: 'hash:ip,port', family: 2, revision: 7, 'revision-min': 0 });
    expect(family.ops.header.decodeReply(MessageView.from(v.HEADER_REPLY))).toMatchObject({ setname: 't', typename: 'hash:ip,port', family: 2, revision: 7 });
  });
});

describe('ipset requests', () => {
  it('carry what ipset 7.17 sends for an add, NLA_F_NET_BYTEORDER included', async () => {
    const entry = await parseElement(TYPES.get('hash:ip,port')!, 'inet', '1.2.3.4,udp:53');
    const data = { ...entryData({ ...entry, timeout: 10, packets: 3, bytes: 4, comment: 'hi' }), lineno: 0 };
    const mine = encodeIpsetRequest('add', 'do', { protocol: 7, setname: 'v', data }, { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL });
    expect(MessageView.from(mine).type).toBe(MessageView.from(v.IPSET_ADD_REQUEST).type);
    expect(MessageView.from(mine).flags).toBe(MessageView.from(v.IPSET_ADD_REQUEST).flags);
    expect(mine.subarray(16, 20)).toEqual(v.IPSET_ADD_REQUEST.subarray(16, 20));
    expect(tree(mine)).toEqual(tree(v.IPSET_ADD_REQUEST));
    expect(tree(mine)).toContain('7N.1N.1B: 01020304');
  });

  it('carry what ipset 7.17 sends for a create', () => {
    const data = createData({ type: 'hash:ip,port', timeout: 30, counters: true, comment: true });
    const mine = encodeIpsetRequest(
      'create',
      'do',
      { protocol: 7, setname: 'v', typename: 'hash:ip,port', revision: 7, family: 2, data },
      { flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL },
    );
    expect(mine.length).toBe(v.IPSET_CREATE_REQUEST.length);
    expect(MessageView.from(mine).flags).toBe(MessageView.from(v.IPSET_CREATE_REQUEST).flags);
    expect(tree(mine)).toEqual(tree(v.IPSET_CREATE_REQUEST));
  });

  it('leave u8 and string attributes without NLA_F_NET_BYTEORDER and refuse an unknown attribute set', () => {
    const bytes = encodeIpsetRequest('header', 'do', { protocol: 7, setname: 'x' }, { flags: NLM_F_REQUEST });
    expect(tree(bytes)).toEqual(['1: 07', '2: 7800']);
    expect(() => markNetByteOrder(bytes, 'nope')).toThrow(new RangeError("attributeSet: no attribute set 'nope' in the ipset spec"));
  });
});

describe('ipset elements on the command line', () => {
  it('parse as ipset parses them', async () => {
    expect(await parseElement(TYPES.get('hash:ip,port')!, 'inet', '1.2.3.5,80')).toEqual({ ip: '1.2.3.5', proto: 6, port: 80 });
    expect(await parseElement(TYPES.get('hash:ip,port')!, 'inet', '1.2.3.5,icmp:ping')).toEqual({ ip: '1.2.3.5', proto: 1, port: 0x0800 });
    expect(await parseElement(TYPES.get('hash:ip,port')!, 'inet6', '::1,ipv6-icmp:128/1')).toEqual({ ip: '::1', proto: 58, port: 0x8001 });
    expect(await parseElement(TYPES.get('hash:net')!, 'inet', '10.0.0.0-10.0.0.9')).toEqual({ ip: '10.0.0.0', ipTo: '10.0.0.9' });
    expect(await parseElement(TYPES.get('hash:net,iface')!, 'inet', '10.0.0.0/8,physdev:eth0')).toEqual({ ip: '10.0.0.0', cidr: 8, physdev: true, iface: 'eth0' });
    expect(await parseElement(TYPES.get('bitmap:port')!, 'unspec', 'udp:7-9')).toEqual({ port: 7, portTo: 9 });
  });

  it('resolve host names in the set family, warning when a name has several addresses', async () => {
    expect(await parseElement(TYPES.get('hash:ip')!, 'inet', 'localhost')).toEqual({ ip: '127.0.0.1' });
    const warnings: string[] = [];
    const ctx = { lookup: async (): Promise<string[]> => ['192.0.2.7', '192.0.2.8'], warn: (t: string) => void warnings.push(t) };
    expect(await parseElement(TYPES.get('hash:net')!, 'inet', 'db/24', 'add', ctx)).toEqual({ ip: '192.0.2.7', cidr: 24 });
    expect(warnings).toEqual(['Warning: db resolves to multiple addresses: using only the first one returned by the resolver.\n']);
    await expect(parseElement(TYPES.get('hash:ip')!, 'inet', 'nowhere', 'add', { lookup: async () => [] })).rejects.toThrow(
      'Syntax error: cannot parse nowhere: resolving to IPv4 address failed',
    );
  });

  it('refuse with ipset own words', async () => {
    await expect(parseElement(TYPES.get('hash:ip')!, 'inet', '1.2.3.4,80')).rejects.toThrow('Syntax error: Elem separator in 1.2.3.4,80, but settype hash:ip supports none.');
    await expect(parseElement(TYPES.get('hash:ip,port')!, 'inet', '1.2.3.4')).rejects.toThrow('Syntax error: Second element is missing from 1.2.3.4.');
    await expect(parseElement(TYPES.get('hash:ip,port')!, 'inet6', '::1,icmp:ping')).rejects.toThrow('Syntax error: Protocol ICMP can be used with family inet only');
    await expect(parseElement(TYPES.get('bitmap:port')!, 'unspec', 'sctp:5')).rejects.toThrow('Syntax error: Only protocols TCP and UDP are valid');
    await expect(parseElement(TYPES.get('hash:net,iface')!, 'inet', '10.0.0.0/8,abcdefghijklmnop')).rejects.toThrow(
      "Syntax error: interface name 'abcdefghijklmnop' is longer than 15 characters",
    );
  });
});

describe('ipsetErrorMeaning', () => {
  it.each([
    [4103, 'add', undefined, 'exist', "Element cannot be added to the set: it's already added"],
    [4103, 'del', undefined, 'exist', "Element cannot be deleted from the set: it's not added"],
    [4097, 'create', undefined, 'protocol', 'Kernel error received: ipset protocol error'],
    [4100, 'destroy', undefined, 'busy', 'Set cannot be destroyed: it is in use by a kernel component'],
    [4101, 'swap', undefined, 'exist-setname2', 'Sets cannot be swapped: the second set does not exist'],
    [4101, 'rename', undefined, 'exist-setname2', 'Set cannot be renamed: a set with the new name already exists'],
    [4352, 'add', 'hash:ip', 'hash-full', 'Hash is full, cannot add more elements'],
    [4352, 'add', 'bitmap:port', 'bitmap-range', 'Element is out of the range of the set'],
    [4352, 'add', 'list:set', 'name', 'Set to be added/deleted/tested as element does not exist.'],
    [4352, 'add', undefined, undefined, 'Undecoded error 4352 received from kernel'],
    [2, 'list', undefined, undefined, 'The set with the given name does not exist'],
    [17, 'create', undefined, undefined, 'Set cannot be created: set with the same name already exists'],
    [1, 'create', undefined, undefined, 'Kernel error received: Operation not permitted'],
  ])('reads errno %i of %s (%s) as ipset', (errno, command, type, reason, text) => {
    expect(ipsetErrorMeaning(errno, command, type)).toEqual({ reason, text });
  });
});
