// One table per thing, shared by the typed clients and the ip-style command,
// built from the generated constants: the names iproute2 6.1 prints, and the
// kernel's numbers (include/uapi/linux/*.h).
import { describe, expect, it } from 'vitest';
import * as L from '../../../src/families/generated/rt-link.constants.js';
import * as R from '../../../src/families/generated/rt-route.constants.js';
import { LINK_TYPE_NAMES, LWTUNNEL_ENCAP_NAMES, OPERSTATE_NAMES, ROUTE_TYPE_NAMES, RTPROT_NAMES, RT_SCOPE_NAMES, RT_TABLE_NAMES } from '../../../src/families/route/names.js';
import { decodeRoute } from '../../../src/families/route/routes.js';
import { linkTypeName } from '../../../src/cli/ip/names.js';

describe('rtnetlink name tables', () => {
  it('name link types as ip does, in the library and the command alike', () => {
    expect(LINK_TYPE_NAMES.get(L.ARPHRD_CAN)).toBe('can');
    expect(linkTypeName(L.ARPHRD_CAN)).toBe('can');
    expect(linkTypeName(L.ARPHRD_IEEE80211_RADIOTAP)).toBe('ieee802.11/radiotap');
    expect(linkTypeName(L.ARPHRD_TUNNEL)).toBe('ipip');
    expect(linkTypeName(L.ARPHRD_NONE)).toBe('none');
    // ll_types.c has no name for ARPHRD_EUI64.
    expect(linkTypeName(L.ARPHRD_EUI64)).toBe('[27]');
    expect(LINK_TYPE_NAMES.size).toBe(66);
  });

  it("take ip's spellings where they differ from the kernel's", () => {
    expect(ROUTE_TYPE_NAMES[R.RTN_UNSPEC]).toBe('none');
    expect(ROUTE_TYPE_NAMES[R.RTN_BLACKHOLE]).toBe('blackhole');
    expect(new Map(RT_SCOPE_NAMES).get(R.RT_SCOPE_UNIVERSE)).toBe('global');
    expect(new Map(RTPROT_NAMES).has(R.RTPROT_MROUTED)).toBe(false);
    expect(new Map(RTPROT_NAMES).get(R.RTPROT_KEEPALIVED)).toBe('keepalived');
    expect(new Map(RT_TABLE_NAMES).has(R.RT_TABLE_COMPAT)).toBe(false);
    expect(new Map(RT_TABLE_NAMES).get(R.RT_TABLE_MAIN)).toBe('main');
    expect(new Map(LWTUNNEL_ENCAP_NAMES).get(R.LWTUNNEL_ENCAP_SEG6_LOCAL)).toBe('seg6local');
    expect(OPERSTATE_NAMES[L.IF_OPER_LOWERLAYERDOWN]).toBe('LOWERLAYERDOWN');
  });

  it('name route flags by the kernel bits, RTM_F_OFFLOAD_FAILED included', () => {
    const route = decodeRoute({
      'rtm-family': 2,
      'rtm-dst-len': 0,
      'rtm-tos': 0,
      'rtm-table': 254,
      'rtm-protocol': 4,
      'rtm-scope': 0,
      'rtm-type': 'unicast',
      'rtm-flags': R.RTM_F_OFFLOAD_FAILED | R.RTNH_F_ONLINK,
    });
    expect(R.RTM_F_OFFLOAD_FAILED).toBe(0x20000000);
    expect(route.flags).toEqual(['onlink', 'offload-failed']);
  });
});
