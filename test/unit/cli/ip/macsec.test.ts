// `nlkit macsec` with byte vectors (this kernel has no MACsec): the requests
// nlkit builds for add, set, del and offload against the bytes ipmacsec.c's
// do_modify_nl() / do_offload() / do_dump() send, written out below from
// the layouts of struct nlmsghdr, struct genlmsghdr and struct nlattr with
// each attribute named; the hand-built dump replies of test/vectors/macsec.ts
// printed as ipmacsec.c's process() prints them (text, -s, -o, -j); and ip's
// refusals of bad command lines (ipmacsec.c's messages and statuses).
import { describe, expect, it } from 'vitest';
import { AF_UNSPEC, NLM_F_ACK } from '../../../../src/core/constants.js';
import { MessageView } from '../../../../src/core/message.js';
import { IpContext, type IpOptions } from '../../../../src/cli/ip/context.js';
import { CommandError } from '../../../../src/cli/error.js';
import { MACSEC_USAGE, MacsecDumpError, hexstringA2n, macsecRequest, macsecShowRequest, parseMacsec, printMacsec } from '../../../../src/cli/ip/macsec.js';
import { INCOMPLETE_REPLY, MACSEC_FAMILY_ID, SECY_REPLY, XPN_REPLY } from '../../../vectors/macsec.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ID = MACSEC_FAMILY_ID;

/** ll_name_to_index() of the test: ms0 is 7, nothing else exists. */
const lookup = (name: string): Promise<number> => Promise.resolve(name === 'ms0' ? 7 : 0);

/** What nlkit sends for `ip macsec LINE`, with the NLM_F_ACK its socket adds as rtnl_talk() does. */
async function sent(line: string): Promise<string> {
  const a = await parseMacsec(line.split(' '), lookup);
  if (a.show) throw new Error('not a request');
  const out = macsecRequest(ID, a.command).slice();
  const dv = new DataView(out.buffer);
  dv.setUint16(6, dv.getUint16(6, true) | NLM_F_ACK, true);
  return Buffer.from(out).toString('hex');
}

const KEY = '0123456789abcdef0123456789abcdef';

// Each request: nlmsghdr (length, type = family id 0x1f, flags NLM_F_REQUEST|NLM_F_ACK, seq 0, pid 0),
// genlmsghdr (cmd, version 1, reserved), MACSEC_ATTR_IFINDEX 7, then the nests without NLA_F_NESTED
// (addattr_nest()). u8 attributes are padded to 4 bytes with zeros.
const IP_SENT: Record<string, string> = {
  [`add ms0 tx sa 0 pn 1 on key 01 ${KEY}`]: `
    60000000 1f00 0500 00000000 00000000
    04 01 0000                                MACSEC_CMD_ADD_TXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    4400 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 00 000000                     MACSEC_SA_ATTR_AN 0
      0800 0300 01000000                      MACSEC_SA_ATTR_PN 1 (u32)
      1400 0500 01000000000000000000000000000000  MACSEC_SA_ATTR_KEYID: 01, the rest of the 16 bytes zero
      1400 0400 ${KEY}                        MACSEC_SA_ATTR_KEY, 16 bytes
      0500 0200 01 000000                     MACSEC_SA_ATTR_ACTIVE on`,
  'set ms0 tx sa 1 xpn 4294967296 salt 000102030405060708090a0b ssci 1 off': `
    54000000 1f00 0500 00000000 00000000
    06 01 0000                                MACSEC_CMD_UPD_TXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    3800 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 01 000000                     MACSEC_SA_ATTR_AN 1
      0c00 0300 0000000001000000              MACSEC_SA_ATTR_PN 2^32 (u64: xpn)
      1000 0900 000102030405060708090a0b      MACSEC_SA_ATTR_SALT, 12 bytes
      0800 0800 00000001                      MACSEC_SA_ATTR_SSCI 1, network order (get_be32)
      0500 0200 00 000000                     MACSEC_SA_ATTR_ACTIVE off`,
  // Salt and SSCI without xpn are read and not sent; del reads nothing after the AN.
  'set ms0 tx sa 2 pn 5 salt 000102030405060708090a0b ssci 1': `
    30000000 1f00 0500 00000000 00000000
    06 01 0000                                MACSEC_CMD_UPD_TXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1400 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 02 000000                     MACSEC_SA_ATTR_AN 2
      0800 0300 05000000                      MACSEC_SA_ATTR_PN 5`,
  'delete ms0 tx sa 3 junk': `
    28000000 1f00 0500 00000000 00000000
    05 01 0000                                MACSEC_CMD_DEL_TXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    0c00 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 03 000000                     MACSEC_SA_ATTR_AN 3`,
  'add ms0 rx port 1 address 52:54:00:12:34:56': `
    2c000000 1f00 0500 00000000 00000000
    01 01 0000                                MACSEC_CMD_ADD_RXSC
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1000 0200                                 MACSEC_ATTR_RXSC_CONFIG
      0c00 0100 5254001234560001              MACSEC_RXSC_ATTR_SCI: the address, then the port (make_sci())`,
  'set ms0 rx sci 5254001234560001 off': `
    34000000 1f00 0500 00000000 00000000
    03 01 0000                                MACSEC_CMD_UPD_RXSC
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1800 0200                                 MACSEC_ATTR_RXSC_CONFIG
      0c00 0100 5254001234560001              MACSEC_RXSC_ATTR_SCI (get_be64: network order)
      0500 0200 00 000000                     MACSEC_RXSC_ATTR_ACTIVE off`,
  'del ms0 rx sci 5254001234560001 on': `
    2c000000 1f00 0500 00000000 00000000
    02 01 0000                                MACSEC_CMD_DEL_RXSC
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1000 0200                                 MACSEC_ATTR_RXSC_CONFIG
      0c00 0100 5254001234560001              MACSEC_RXSC_ATTR_SCI`,
  [`add ms0 rx address 52:54:00:ab:cd:ef port 0x2 sa 2 pn 7 key 0203 ${KEY}`]: `
    68000000 1f00 0500 00000000 00000000
    07 01 0000                                MACSEC_CMD_ADD_RXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1000 0200                                 MACSEC_ATTR_RXSC_CONFIG
      0c00 0100 525400abcdef0002              MACSEC_RXSC_ATTR_SCI
    3c00 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 02 000000                     MACSEC_SA_ATTR_AN 2
      0800 0300 07000000                      MACSEC_SA_ATTR_PN 7
      1400 0500 02030000000000000000000000000000  MACSEC_SA_ATTR_KEYID
      1400 0400 ${KEY}                        MACSEC_SA_ATTR_KEY`,
  'del ms0 rx sci 5254001234560001 sa 2 pn 9': `
    38000000 1f00 0500 00000000 00000000
    08 01 0000                                MACSEC_CMD_DEL_RXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1000 0200                                 MACSEC_ATTR_RXSC_CONFIG
      0c00 0100 5254001234560001              MACSEC_RXSC_ATTR_SCI
    0c00 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 02 000000                     MACSEC_SA_ATTR_AN 2`,
  'set ms0 rx sci 5254001234560001 sa 1 on': `
    40000000 1f00 0500 00000000 00000000
    09 01 0000                                MACSEC_CMD_UPD_RXSA
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    1000 0200                                 MACSEC_ATTR_RXSC_CONFIG
      0c00 0100 5254001234560001              MACSEC_RXSC_ATTR_SCI
    1400 0300                                 MACSEC_ATTR_SA_CONFIG
      0500 0100 01 000000                     MACSEC_SA_ATTR_AN 1
      0500 0200 01 000000                     MACSEC_SA_ATTR_ACTIVE on`,
  'offload ms0 m': `
    28000000 1f00 0500 00000000 00000000
    0a 01 0000                                MACSEC_CMD_UPD_OFFLOAD
    0800 0100 07000000                        MACSEC_ATTR_IFINDEX 7
    0c00 0900                                 MACSEC_ATTR_OFFLOAD
      0500 0100 02 000000                     MACSEC_OFFLOAD_ATTR_TYPE mac`,
};

/** The hex digits of a commented layout above. */
const bytesOf = (layout: string): string =>
  layout
    .split('\n')
    .map((l) =>
      l
        .replace(/^\s+/, '')
        .split(/\s{2,}/)[0]!
        .replace(/ /g, ''),
    )
    .join('');

function context(o: Partial<IpOptions> = {}): { ctx: IpContext; out: () => string } {
  let out = '';
  const ctx = new IpContext(
    { stdout: (t) => (out += t), stderr: () => {} },
    { json: false, pretty: false, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false, ...o },
  );
  return {
    ctx,
    out: () => {
      ctx.flush();
      return out;
    },
  };
}

/** Prints the messages as `ip [options] macsec show [DEV]` does (one listing). */
function show(messages: string[], o: Partial<IpOptions> = {}, ifindex = 0): string {
  const { ctx, out } = context(o);
  for (const h of messages) {
    const p = ctx.printer();
    if (!printMacsec(ctx, p, MessageView.from(hex(h)), ID, ifindex)) continue;
    if (ctx.options.json) ctx.listItem(p);
    else ctx.print(p.output);
  }
  ctx.listEnd();
  return out();
}

describe('ip macsec requests (do_modify_nl, do_offload, do_dump)', () => {
  it.each(Object.entries(IP_SENT))('builds "ip macsec %s" as ip does', async (line, layout) => {
    expect(await sent(line)).toBe(bytesOf(layout));
  });

  it('asks for the dump with NLM_F_REQUEST|NLM_F_DUMP and no attribute', () => {
    // nlmsghdr: length 20, type 0x1f, flags 0x301; genlmsghdr: MACSEC_CMD_GET_TXSC, version 1.
    expect(Buffer.from(macsecShowRequest(ID)).toString('hex')).toBe('140000001f000103000000000000000000010000');
  });

  it('reads show [DEV] as do_show() does', async () => {
    expect(await parseMacsec(['show'], lookup)).toEqual({ show: true, ifindex: 0 });
    expect(await parseMacsec(['sh', 'ms0'], lookup)).toEqual({ show: true, ifindex: 7 });
  });

  it('reads hex strings as hexstring_a2n() does', () => {
    expect(hexstringA2n('0a0B', 16)).toEqual(Uint8Array.from([10, 11]));
    expect(hexstringA2n('010203', 2)).toEqual(Uint8Array.from([1, 2]));
    expect(hexstringA2n('', 16)).toEqual(new Uint8Array());
    expect(hexstringA2n(' f+f', 16)).toEqual(Uint8Array.from([15, 15]));
    for (const bad of ['abc', 'zz', '0x', '-1']) expect(hexstringA2n(bad, 16)).toBeUndefined();
  });
});

describe("ip macsec's refusals of bad command lines", () => {
  const refusal = async (line: string): Promise<{ status: number; first: string }> => {
    try {
      await parseMacsec(line.split(' '), lookup);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      return { status: err.exitCode, first: err.message.split('\n')[0]! };
    }
    throw new Error(`no refusal for ${line}`);
  };

  it.each([
    ['add ms0 tx sa 0 pn 1', 1, 'cannot create SA without key'],
    [`add ms0 tx sa 0 key 01 ${KEY}`, 1, 'must specify a packet number != 0'],
    [`set ms0 tx sa 0 key 01 ${KEY}`, 1, 'cannot change key on SA'],
    ['add nodev tx sa 0', 1, 'Device "nodev" does not exist.'],
    ['show nodev', 1, 'Device "nodev" does not exist.'],
    ['show ms0 extra', 255, MACSEC_USAGE.split('\n')[0]!],
    ['add ms0 tx', 255, MACSEC_USAGE.split('\n')[0]!],
    ['add ms0 tx foo', 255, MACSEC_USAGE.split('\n')[0]!],
    ['add ms0 foo', 255, MACSEC_USAGE.split('\n')[0]!],
    ['add ms0 tx sa', 255, 'Command line is not complete. Try option "help"'],
    ['add ms0 tx sa 4', 255, 'Error: argument "4" is wrong: expected an { 0..3 }'],
    ['add ms0 tx sa 0 pn 0', 255, 'Error: argument "0" is wrong: expected pn != 0'],
    ['add ms0 tx sa 0 pn x', 255, 'Error: argument "x" is wrong: expected pn'],
    ['add ms0 tx sa 0 pn 1 pn 2', 255, 'Error: either "pn" is duplicate, or "pn" is a garbage.'],
    ['add ms0 tx sa 0 pn 1 xpn 2', 255, 'Error: either "xpn" is duplicate, or "xpn" is a garbage.'],
    ['add ms0 tx sa 0 on off', 255, 'Error: either "on/off" is duplicate, or "off" is a garbage.'],
    ['add ms0 tx sa 0 salt abc', 255, 'Error: argument "abc" is wrong: expected salt'],
    ['add ms0 tx sa 0 ssci 1 ssci 2', 255, 'Error: either "ssci" is duplicate, or "ssci" is a garbage.'],
    ['add ms0 tx sa 0 key zz 00', 255, 'Error: argument "zz" is wrong: expected key id'],
    ['add ms0 tx sa 0 key 00 0', 255, 'Error: argument "0" is wrong: expected key'],
    ['add ms0 tx sa 0 frob', 255, 'macsec: unknown command "frob"?'],
    ['add ms0 rx', 255, 'expected sci'],
    ['add ms0 rx port 1', 255, 'expected sci'],
    ['add ms0 rx port 0 address 52:54:00:12:34:56', 255, 'Error: argument "0" is wrong: expected port != 0'],
    ['add ms0 rx port 1 sci 5', 255, 'Error: argument "sci" is wrong: expected address'],
    ['add ms0 rx address 52:54:00:12:34:56 sci 5', 255, 'Error: argument "sci" is wrong: expected port'],
    ['add ms0 rx sci xyz', 255, 'Error: argument "xyz" is wrong: expected sci'],
    ['add ms0 rx frob', 255, 'Error: argument "frob" is wrong: expected sci, port, or address'],
    ['add ms0 rx address zz:00 port 1', 255, '"zz" is invalid lladdr.'],
    ['add ms0 rx sci 5 on on', 255, 'Error: either "on/off" is duplicate, or "on" is a garbage.'],
    ['add ms0 rx sci 5 frob', 255, 'macsec: unknown command "frob"?'],
    ['offload ms0', 255, MACSEC_USAGE.split('\n')[0]!],
    ['offload ms0 foo', 255, 'Error: argument of "offload" must be one of "off", "phy", "mac", not "foo"'],
    ['frob', 255, 'Command "frob" is unknown, try "ip macsec help".'],
  ] as const)('ip macsec %s', async (line, status, first) => {
    expect(await refusal(line)).toEqual({ status, first });
  });

  it("prints ll_addr_a2n()'s line, then invarg()'s with the word cut at its first ':'", async () => {
    await expect(parseMacsec('add ms0 rx address 11:zz port 1'.split(' '), lookup)).rejects.toThrow('"zz" is invalid lladdr.\nError: argument "11" is wrong: expected lladdr\n');
  });
});

const TEXT =
  '7: if7: protect on validate strict sc on sa on encrypt on send_sci on end_station off scb off replay on window 32 \n' +
  '    cipher suite: GCM-AES-128, using ICV length 16\n' +
  '    TXSC: 5254001234560001 on SA 1\n' +
  '        0: PN 100, state on, key 01000000000000000000000000000000\n' +
  '        1: PN 1, state off, key 02ffffffffffffffffffffffffffffff\n' +
  '    RXSC: 525400abcdef0002, state on\n' +
  '        0: PN 31, state on, key 03000000000000000000000000000000\n' +
  '    offload: off \n';
const XPN_TEXT =
  '9: if9: protect on validate disabled sc off sa off encrypt off send_sci off end_station on scb off replay off \n' +
  '    cipher suite: GCM-AES-XPN-256, using ICV length 16\n' +
  '    TXSC: 0200000000090001 on SA 0\n' +
  '        0: PN 5,SSCI 00000102 state on, key 04000000000000000000000000000000\n' +
  '    offload: mac \n';

describe('ip macsec show with hand-built dump replies (process() of ipmacsec.c)', () => {
  it('prints SecYs, their TX and RX SCs and SAs as ip does', () => {
    // "sc" and "sa" show encoding-sa: ip reads them at indexes of the RX SC and SA sets in the SecY's table.
    // With XPN the packet number is printed through an unsigned int (2^32 + 5 shows as 5), the SSCI right after the comma.
    expect(show([SECY_REPLY, XPN_REPLY])).toBe(TEXT + XPN_TEXT);
  });

  it('shows one device when asked (filter.ifindex)', () => {
    expect(show([SECY_REPLY, XPN_REPLY], {}, 9)).toBe(XPN_TEXT);
  });

  it('prints the counters with -s, names over right-aligned values, "-" for a missing one', () => {
    expect(show([SECY_REPLY], { stats: 1 })).toBe(
      '7: if7: protect on validate strict sc on sa on encrypt on send_sci on end_station off scb off replay on window 32 \n' +
        '    cipher suite: GCM-AES-128, using ICV length 16\n' +
        '    TXSC: 5254001234560001 on SA 1\n' +
        '    stats: OutPktsUntagged InPktsUntagged OutPktsTooLong InPktsNoTag InPktsBadTag InPktsUnknownSCI InPktsNoSCI InPktsOverrun\n' +
        '                         3              4              0           5            0                6           0             -\n' +
        '    stats: OutPktsProtected OutPktsEncrypted OutOctetsProtected OutOctetsEncrypted\n' +
        '                         10               20               1000               2000\n' +
        '        0: PN 100, state on, key 01000000000000000000000000000000\n' +
        '    stats: OutPktsProtected OutPktsEncrypted\n' +
        '                         10                0\n' +
        '        1: PN 1, state off, key 02ffffffffffffffffffffffffffffff\n' +
        '    stats: OutPktsProtected OutPktsEncrypted\n' +
        '                          0                5\n' +
        '    RXSC: 525400abcdef0002, state on\n' +
        '    stats: InOctetsValidated InOctetsDecrypted InPktsUnchecked InPktsDelayed InPktsOK InPktsInvalid InPktsLate InPktsNotValid InPktsNotUsingSA InPktsUnusedSA\n' +
        '                           0              3000               0             0       30             1          2              0                0              0\n' +
        '        0: PN 31, state on, key 03000000000000000000000000000000\n' +
        '    stats: InPktsOK InPktsInvalid InPktsNotValid InPktsNotUsingSA InPktsUnusedSA\n' +
        '                 30             1              0                0              0\n' +
        '    offload: off \n',
    );
  });

  it('joins with a backslash where print_nl() is called under -o', () => {
    expect(show([XPN_REPLY], { oneline: true })).toBe(
      '9: if9: protect on validate disabled sc off sa off encrypt off send_sci off end_station on scb off replay off \\' +
        '    cipher suite: GCM-AES-XPN-256, using ICV length 16\n' +
        '    TXSC: 0200000000090001 on SA 0\n' +
        '        0: PN 5,SSCI 00000102 state on, key 04000000000000000000000000000000\n' +
        '    offload: mac \\',
    );
  });

  it('prints JSON with the keys of ipmacsec.c (print_0xhex as "%#llx", counters as members with -s)', () => {
    expect(JSON.parse(show([SECY_REPLY, XPN_REPLY], { json: true }))).toEqual([
      {
        ifindex: 7,
        ifname: 'if7',
        protect: true,
        validate: 'strict',
        sc: true,
        sa: true,
        encrypt: true,
        send_sci: true,
        end_station: false,
        scb: false,
        replay: true,
        window: 32,
        cipher_suite: 'GCM-AES-128',
        icv_length: 16,
        sci: '0x5254001234560001',
        encoding_sa: 1,
        sa_list: [
          { an: 0, pn: 100, active: true, key: '01000000000000000000000000000000' },
          { an: 1, pn: 1, active: false, key: '02ffffffffffffffffffffffffffffff' },
        ],
        rx_sc: [{ sci: '0x525400abcdef0002', active: true, sa_list: [{ an: 0, pn: 31, active: true, key: '03000000000000000000000000000000' }] }],
        offload: 'off',
      },
      {
        ifindex: 9,
        ifname: 'if9',
        protect: true,
        validate: 'disabled',
        sc: false,
        sa: false,
        encrypt: false,
        send_sci: false,
        end_station: true,
        scb: false,
        replay: false,
        cipher_suite: 'GCM-AES-XPN-256',
        icv_length: 16,
        sci: '0x200000000090001',
        encoding_sa: 0,
        sa_list: [{ an: 0, pn: 5, ssci: '0x102', active: true, key: '04000000000000000000000000000000' }],
        rx_sc: [],
        offload: 'mac',
      },
    ]);
    const s = JSON.parse(show([SECY_REPLY], { json: true, stats: 1 })) as Record<string, unknown>[];
    expect(Object.keys(s[0]!).slice(15, 28)).toEqual([
      'encoding_sa',
      'OutPktsUntagged',
      'InPktsUntagged',
      'OutPktsTooLong',
      'InPktsNoTag',
      'InPktsBadTag',
      'InPktsUnknownSCI',
      'InPktsNoSCI',
      'OutPktsProtected',
      'OutPktsEncrypted',
      'OutOctetsProtected',
      'OutOctetsEncrypted',
      'sa_list',
    ]);
    expect(s[0]!.sa_list).toEqual([
      { an: 0, pn: 100, active: true, key: '01000000000000000000000000000000', OutPktsProtected: 10, OutPktsEncrypted: 0 },
      { an: 1, pn: 1, active: false, key: '02ffffffffffffffffffffffffffffff', OutPktsProtected: 0, OutPktsEncrypted: 5 },
    ]);
    expect(s[0]!.rx_sc).toEqual([
      {
        sci: '0x525400abcdef0002',
        active: true,
        InOctetsValidated: 0,
        InOctetsDecrypted: 3000,
        InPktsUnchecked: 0,
        InPktsDelayed: 0,
        InPktsOK: 30,
        InPktsInvalid: 1,
        InPktsLate: 2,
        InPktsNotValid: 0,
        InPktsNotUsingSA: 0,
        InPktsUnusedSA: 0,
        sa_list: [
          { an: 0, pn: 31, active: true, key: '03000000000000000000000000000000', InPktsOK: 30, InPktsInvalid: 1, InPktsNotValid: 0, InPktsNotUsingSA: 0, InPktsUnusedSA: 0 },
        ],
      },
    ]);
  });

  it('ends the dump as ip does on an incomplete message or one of another family, and skips other commands', () => {
    expect(() => show([INCOMPLETE_REPLY])).toThrow(new MacsecDumpError('incomplete dump message\nDump terminated', 1));
    const other = hex(SECY_REPLY);
    other[4] = 0x20; // nlmsg_type: not the macsec family
    expect(() => show([Buffer.from(other).toString('hex')])).toThrow('Dump terminated');
    const cmd = hex(SECY_REPLY);
    cmd[16] = 4; // genlmsghdr.cmd: MACSEC_CMD_ADD_TXSA
    expect(show([Buffer.from(cmd).toString('hex'), XPN_REPLY])).toBe(XPN_TEXT);
  });
});
