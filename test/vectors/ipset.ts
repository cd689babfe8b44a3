// ipset messages for the ipset tests and the fuzz corpus. Kernel replies
// (6.18.44) as a NETLINK_NETFILTER socket in a fresh namespace read them after
// `ipset create t hash:ip,port timeout 300 comment counters initval 0x1234`,
// `ipset add t 1.2.3.4,udp:53 timeout 0 comment hi packets 3 bytes 4`,
// `ipset add t 1.2.3.5,icmp:ping timeout 0`, a hash:net,iface inet6 set n,
// a bitmap:port set p (range 10-20) and a list:set l holding p; and requests
// ipset 7.17 itself sent (strace -xx), nlmsg_seq zeroed. Bytes verbatim.
import { fromHex } from './hex.js';

/** list reply: set t, hash:ip,port rev 7, timeout 300 counters comment initval 0x1234; members 1.2.3.5,icmp:echo-request and 1.2.3.4,udp:53 (timeout 0, packets 3, bytes 4, comment "hi"). */
export const LIST_HASH_IP_PORT = fromHex(
  '28 01 00 00 07 06 02 00 d1 57 9c 94 5d 1c 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '74 00 00 00 11 00 03 00 68 61 73 68 3a 69 70 2c',
  '70 6f 72 74 00 00 00 00 05 00 05 00 02 00 00 00',
  '05 00 04 00 07 00 00 00 06 00 0b 40 00 00 00 00',
  '4c 00 07 80 08 00 12 40 00 00 04 00 08 00 13 40',
  '00 01 00 00 05 00 15 00 0c 00 00 00 08 00 11 40',
  '00 00 12 34 08 00 19 40 00 00 00 00 08 00 1a 40',
  '00 00 01 cb 08 00 18 40 00 00 00 02 08 00 06 40',
  '00 00 01 2c 08 00 08 40 00 00 00 18 8c 00 08 80',
  '40 00 07 80 0c 00 01 80 08 00 01 00 01 02 03 05',
  '06 00 04 40 08 00 00 00 05 00 07 00 01 00 00 00',
  '08 00 06 40 00 00 00 00 0c 00 18 40 00 00 00 00',
  '00 00 00 00 0c 00 19 40 00 00 00 00 00 00 00 00',
  '48 00 07 80 0c 00 01 80 08 00 01 00 01 02 03 04',
  '06 00 04 40 00 35 00 00 05 00 07 00 11 00 00 00',
  '08 00 06 40 00 00 00 00 0c 00 18 40 00 00 00 00',
  '00 00 00 04 0c 00 19 40 00 00 00 00 00 00 00 03',
  '07 00 1a 00 68 69 00 00',
);

/** list reply: set n, hash:net,iface rev 8, family inet6, initval 0x99; member 2001:db8::/32,physdev:eth0 nomatch. */
export const LIST_HASH_NET_IFACE6 = fromHex(
  'c8 00 00 00 07 06 02 00 d1 57 9c 94 5d 1c 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '6e 00 00 00 13 00 03 00 68 61 73 68 3a 6e 65 74',
  '2c 69 66 61 63 65 00 00 05 00 05 00 0a 00 00 00',
  '05 00 04 00 08 00 00 00 06 00 0b 40 00 01 00 00',
  '3c 00 07 80 08 00 12 40 00 00 04 00 08 00 13 40',
  '00 01 00 00 05 00 15 00 0c 00 00 00 08 00 11 40',
  '00 00 00 99 08 00 19 40 00 00 00 00 08 00 1a 40',
  '00 00 05 60 08 00 18 40 00 00 00 01 3c 00 08 80',
  '38 00 07 80 18 00 01 80 14 00 02 00 20 01 0d b8',
  '00 00 00 00 00 00 00 00 00 00 00 00 05 00 03 00',
  '20 00 00 00 09 00 17 00 65 74 68 30 00 00 00 00',
  '08 00 08 40 00 00 00 06',
);

/** list reply: set p, bitmap:port rev 3, range 10-20, referenced once (by l); member 12. */
export const LIST_BITMAP_PORT = fromHex(
  '88 00 00 00 07 06 02 00 d1 57 9c 94 5d 1c 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '70 00 00 00 10 00 03 00 62 69 74 6d 61 70 3a 70',
  '6f 72 74 00 05 00 05 00 00 00 00 00 05 00 04 00',
  '03 00 00 00 06 00 0b 40 00 02 00 00 2c 00 07 80',
  '06 00 04 40 00 0a 00 00 06 00 05 40 00 14 00 00',
  '08 00 19 40 00 00 00 01 08 00 1a 40 00 00 00 50',
  '08 00 18 40 00 00 00 01 10 00 08 80 0c 00 07 80',
  '06 00 04 40 00 0c 00 00',
);

/** list reply: set l, list:set rev 3, size 8; member p. */
export const LIST_LIST_SET = fromHex(
  '80 00 00 00 07 06 02 00 d1 57 9c 94 5d 1c 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '6c 00 00 00 0d 00 03 00 6c 69 73 74 3a 73 65 74',
  '00 00 00 00 05 00 05 00 00 00 00 00 05 00 04 00',
  '03 00 00 00 06 00 0b 40 00 03 00 00 24 00 07 80',
  '08 00 17 40 00 00 00 08 08 00 19 40 00 00 00 00',
  '08 00 1a 40 00 00 00 80 08 00 18 40 00 00 00 01',
  '10 00 08 80 0c 00 07 80 06 00 12 00 70 00 00 00',
);

/** protocol reply: protocol 7, protocol-min 6. */
export const PROTOCOL_REPLY = fromHex('24 00 00 00 01 06 00 00 d2 57 9c 94 5d 1c 00 00', '02 00 00 00 05 00 01 00 07 00 00 00 05 00 0a 00', '06 00 00 00');

/** type reply: hash:ip,port, family inet, revision 7, revision-min 0. */
export const TYPE_REPLY = fromHex(
  '48 00 00 00 0d 06 00 00 d3 57 9c 94 5d 1c 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 11 00 03 00',
  '68 61 73 68 3a 69 70 2c 70 6f 72 74 00 00 00 00',
  '05 00 05 00 02 00 00 00 05 00 04 00 07 00 00 00',
  '05 00 0a 00 00 00 00 00',
);

/** header reply: set t, hash:ip,port, family inet, revision 7. */
export const HEADER_REPLY = fromHex(
  '48 00 00 00 0c 06 00 00 d4 57 9c 94 5d 1c 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '74 00 00 00 11 00 03 00 68 61 73 68 3a 69 70 2c',
  '70 6f 72 74 00 00 00 00 05 00 05 00 02 00 00 00',
  '05 00 04 00 07 00 00 00',
);

/** `ipset add v 1.2.3.4,udp:53 timeout 10 packets 3 bytes 4 comment hi` (NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL). */
export const IPSET_ADD_REQUEST = fromHex(
  '74 00 00 00 09 06 05 02 00 00 00 00 00 00 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '76 00 00 00 50 00 07 80 0c 00 01 80 08 00 01 40',
  '01 02 03 04 06 00 04 40 00 35 00 00 08 00 06 40',
  '00 00 00 0a 05 00 07 00 11 00 00 00 0c 00 18 40',
  '00 00 00 00 00 00 00 04 0c 00 19 40 00 00 00 00',
  '00 00 00 03 07 00 1a 00 68 69 00 00 08 00 09 40',
  '00 00 00 00',
);

/** `ipset create v hash:ip,port timeout 30 counters comment` (NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL). */
export const IPSET_CREATE_REQUEST = fromHex(
  '5c 00 00 00 02 06 05 06 00 00 00 00 00 00 00 00',
  '02 00 00 00 05 00 01 00 07 00 00 00 06 00 02 00',
  '76 00 00 00 11 00 03 00 68 61 73 68 3a 69 70 2c',
  '70 6f 72 74 00 00 00 00 05 00 04 00 07 00 00 00',
  '05 00 05 00 02 00 00 00 14 00 07 80 08 00 06 40',
  '00 00 00 1e 08 00 08 40 00 00 00 18',
);
