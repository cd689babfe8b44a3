// Bridge VLAN messages, which this machine's kernel (no VLAN filtering)
// never sends or accepts, checked with byte vectors: the requests
// `bridge vlan add` sends (captured with strace from iproute2 6.1) are what
// nlkit's rt-bridge codec writes for the same command, and a port's VLAN
// dump as a filtering kernel sends it decodes to its VLANs and ranges.
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import { family as rtBridge } from '../../../src/families/generated/rt-bridge.js';
import { NLA_F_NESTED, NLM_F_ACK, NLM_F_REQUEST } from '../../../src/core/constants.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

// The payload after the nlmsghdr of RTM_SETLINK from `bridge vlan add ... dev v0` (v0 is index 4).
const CAPTURED = {
  // vid 10-20 dev v0 untagged: IFLA_AF_SPEC { VLAN_INFO {UNTAGGED|RANGE_BEGIN, 10}, VLAN_INFO {UNTAGGED|RANGE_END, 20} }
  range: '0700000004000000000000000000000014001a00080002000c000a000800020014001400',
  // vid 5 dev v0 pvid untagged master: IFLA_AF_SPEC { IFLA_BRIDGE_FLAGS master, VLAN_INFO {PVID|UNTAGGED, 5} }
  pvid: '0700000004000000000000000000000014001a0006000000010000000800020006000500',
};

function encode(value: Record<string, unknown>): Uint8Array {
  const w = new MessageWriter();
  rtBridge.ops.setlink.do!.encodeRequest(w, value as never, { flags: NLM_F_REQUEST | NLM_F_ACK });
  const bytes = w.finishCopy();
  const payload = bytes.slice(16);
  // bridge leaves NLA_F_NESTED off IFLA_AF_SPEC; the kernel ignores it either way.
  const dv = new DataView(payload.buffer);
  dv.setUint16(18, dv.getUint16(18, true) & ~NLA_F_NESTED, true);
  return payload;
}

describe('bridge VLAN messages', () => {
  it('are written as bridge writes them: a range', () => {
    const bytes = encode({
      'ifi-family': 7,
      'ifi-index': 4,
      'af-spec': {
        'vlan-info': [
          { flags: ['untagged', 'range-begin'], vid: 10 },
          { flags: ['untagged', 'range-end'], vid: 20 },
        ],
      },
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(CAPTURED.range);
  });

  it('are written as bridge writes them: a PVID on the master', () => {
    const bytes = encode({ 'ifi-family': 7, 'ifi-index': 4, 'af-spec': { flags: ['master'], 'vlan-info': [{ flags: ['pvid', 'untagged'], vid: 5 }] } });
    expect(Buffer.from(bytes).toString('hex')).toBe(CAPTURED.pvid);
  });

  it('decode from a port dump with VLANs, as a filtering kernel sends it', () => {
    // RTM_NEWLINK, AF_BRIDGE, index 4: IFLA_IFNAME v0, IFLA_MASTER 2, IFLA_AF_SPEC { VLAN_INFO {PVID|UNTAGGED, 1}, VLAN_INFO {RANGE_BEGIN, 10}, VLAN_INFO {RANGE_END, 20} }.
    const body = hex(
      '07000100' +
        '04000000' +
        '43100100' +
        '00000000' +
        '07000300763000' +
        '00' +
        '0800' +
        '0a00' +
        '02000000' +
        '1c001a80' +
        '08000200' +
        '06000100' +
        '08000200' +
        '08000a00' +
        '08000200' +
        '10001400',
    );
    const msg = new Uint8Array(16 + body.length);
    const dv = new DataView(msg.buffer);
    dv.setUint32(0, msg.length, true);
    dv.setUint16(4, 16, true);
    msg.set(body, 16);
    const m = rtBridge.ops.getlink.dump!.decodeReply(new MessageView(msg, 0)) as unknown as {
      ifname: string;
      master: number;
      'af-spec': { 'vlan-info': { flags: string[]; vid: number }[] };
    };
    expect(m.ifname).toBe('v0');
    expect(m.master).toBe(2);
    expect(m['af-spec']['vlan-info']).toEqual([
      { flags: ['pvid', 'untagged'], vid: 1 },
      { flags: ['range-begin'], vid: 10 },
      { flags: ['range-end'], vid: 20 },
    ]);
  });
});
