// Raw rtnetlink requests built with MessageWriter, for tests of the protocol
// layer (the typed clients come later and are tested on their own).
import {
  AF_INET,
  AF_UNSPEC,
  IFA_LOCAL,
  IFA_ADDRESS,
  IFADDRMSG_SIZE,
  IFINFOMSG_SIZE,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  MessageWriter,
  MessageView,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTMSG_SIZE,
  parseIPv4,
  HOST_LITTLE_ENDIAN,
} from '../../src/index.js';

/** RTM_GETLINK dump request (ifinfomsg with family AF_UNSPEC). */
export function getLinkDump(): Uint8Array {
  const w = new MessageWriter();
  w.beginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
  w.reserve(IFINFOMSG_SIZE);
  return w.endMessage().finishCopy();
}

/** RTM_GETADDR dump request for a family. */
export function getAddrDump(family = AF_UNSPEC): Uint8Array {
  const w = new MessageWriter();
  w.beginMessage(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
  const at = w.reserve(IFADDRMSG_SIZE);
  w.setU8(at, family);
  return w.endMessage().finishCopy();
}

/** RTM_GETROUTE dump request for a family. */
export function getRouteDump(family = AF_INET): Uint8Array {
  const w = new MessageWriter();
  w.beginMessage(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP);
  const at = w.reserve(RTMSG_SIZE);
  w.setU8(at, family);
  return w.endMessage().finishCopy();
}

/** RTM_NEWADDR for an IPv4 address with prefix length on an interface index. */
export function newAddr(ifindex: number, address: string, prefixLength: number): Uint8Array {
  const w = new MessageWriter();
  w.beginMessage(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
  const at = w.reserve(IFADDRMSG_SIZE);
  w.setU8(at, AF_INET)
    .setU8(at + 1, prefixLength)
    .setU32(at + 4, ifindex);
  w.putBinary(IFA_LOCAL, parseIPv4(address));
  w.putBinary(IFA_ADDRESS, parseIPv4(address));
  return w.endMessage().finishCopy();
}

/** RTM_NEWLINK creating a link of some kind (no kind data). */
export function newLink(name: string, kind: string): Uint8Array {
  const w = new MessageWriter();
  w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
  w.reserve(IFINFOMSG_SIZE);
  w.putString(IFLA_IFNAME, name);
  const li = w.nestStart(IFLA_LINKINFO);
  w.putString(IFLA_INFO_KIND, kind);
  w.nestEnd(li);
  return w.endMessage().finishCopy();
}

/** IFLA_IFNAME of an RTM_NEWLINK/DELLINK message. */
export function linkName(msg: MessageView): string | undefined {
  const r = msg.attributes(IFINFOMSG_SIZE);
  return r.find(IFLA_IFNAME) ? r.string() : undefined;
}

/** ifi_index of an RTM_NEWLINK message. */
export function linkIndex(msg: MessageView): number {
  return msg.dv.getInt32(msg.payloadOffset + 4, HOST_LITTLE_ENDIAN);
}
