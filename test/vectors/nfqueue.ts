// nfnetlink_queue messages for the nfqueue tests and the fuzz corpus: whole
// netlink messages, bytes verbatim unless a comment says how they were made.
import { fromHex } from './hex.js';

/**
 * NFQNL_MSG_PACKET captured from the kernel (6.18.44) in a namespace:
 * iptables `-A INPUT -p udp --dport 9999 -j NFQUEUE --queue-num 3`, queue
 * bound with copy mode packet, one UDP datagram "vector" from
 * 127.0.0.1:52385 to 127.0.0.1:9999 over lo. Packet id 1, ETH_P_IP, hook
 * input, indev 1, hwaddr (6 zero bytes), the IPv4 packet (nlmsg_len 94, not
 * padded: the datagram's last two bytes are padding).
 */
export const NFQUEUE_PACKET = fromHex(
  '5e 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 02 00 00 03 0b 00 01 00 00 00 00 01 08 00 01 00',
  '08 00 05 00 00 00 00 01 10 00 09 00 00 06 00 00 00 00 00 00 00 00 00 00 26 00 0a 00 45 00 00 22',
  '23 1b 40 00 40 11 19 ae 7f 00 00 01 7f 00 00 01 cc a1 27 0f 00 0e c4 d2 76 65 63 74 6f 72',
);

/**
 * NFQUEUE_PACKET padded and followed by the NFQA_CT nest and NFQA_CT_INFO
 * that a kernel with CONFIG_NETFILTER_NETLINK_GLUE_CT adds with flag
 * conntrack (this kernel has it off: the flag is EOPNOTSUPP). Written from
 * the layouts of ctnetlink_glue_build() and nfnetlink_conntrack.h:
 * CTA_TUPLE_ORIG { CTA_TUPLE_IP { 127.0.0.1 -> 127.0.0.1 }, CTA_TUPLE_PROTO
 * { udp, 52385 -> 9999 } }, CTA_STATUS confirmed, CTA_ID 0x12345678;
 * NFQA_CT_INFO IP_CT_NEW.
 */
export const NFQUEUE_PACKET_CT = fromHex(
  'b0 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 02 00 00 03 0b 00 01 00 00 00 00 01 08 00 01 00',
  '08 00 05 00 00 00 00 01 10 00 09 00 00 06 00 00 00 00 00 00 00 00 00 00 26 00 0a 00 45 00 00 22',
  '23 1b 40 00 40 11 19 ae 7f 00 00 01 7f 00 00 01 cc a1 27 0f 00 0e c4 d2 76 65 63 74 6f 72 00 00',
  '48 00 0b 80 34 00 01 80 14 00 01 80 08 00 01 00 7f 00 00 01 08 00 02 00 7f 00 00 01 1c 00 02 80',
  '05 00 01 00 11 00 00 00 06 00 02 00 cc a1 00 00 06 00 03 00 27 0f 00 00 08 00 03 00 00 00 00 08',
  '08 00 0c 00 12 34 56 78 08 00 0c 00 00 00 00 02',
);

/**
 * NFQNL_MSG_VERDICT as libnetfilter_queue's nfq_nlmsg_put(NFQNL_MSG_VERDICT,
 * 3), nfq_nlmsg_verdict_put(NF_ACCEPT, id 1) and
 * nfq_nlmsg_verdict_put_mark(42) write it: NFQA_VERDICT_HDR { be32 verdict,
 * be32 id }, NFQA_MARK be32, no NLA_F_NET_BYTEORDER; NLM_F_REQUEST, seq 1.
 */
export const NFQUEUE_VERDICT_ACCEPT_MARK = fromHex('28 00 00 00 01 03 01 00 01 00 00 00 00 00 00 00 00 00 00 03 0c 00 02 00 00 00 00 01 00 00 00 01', '08 00 03 00 00 00 00 2a');

/**
 * NFQNL_MSG_CONFIG of queue 3 with NFQA_CFG_PARAMS (copy_range 0xffff,
 * NFQNL_COPY_PACKET: 5 packed bytes, padded), NFQA_CFG_QUEUE_MAXLEN 16 and
 * NFQA_CFG_MASK / NFQA_CFG_FLAGS fail-open, as nfq_nlmsg_cfg_put_params(),
 * _put_qmaxlen() and mnl_attr_put_u32(NFQA_CFG_MASK / FLAGS, htonl(..))
 * write them; NLM_F_REQUEST | NLM_F_ACK, seq 1.
 */
export const NFQUEUE_CONFIG_FAIL_OPEN = fromHex(
  '38 00 00 00 02 03 05 00 01 00 00 00 00 00 00 00 00 00 00 03 09 00 02 00 00 00 ff ff 02 00 00 00',
  '08 00 03 00 00 00 00 10 08 00 04 00 00 00 00 01 08 00 05 00 00 00 00 01',
);
