// nfnetlink_log messages for the nflog tests and the fuzz corpus: whole
// netlink messages, bytes verbatim.
import { fromHex } from './hex.js';

/**
 * NFULNL_MSG_PACKET captured from the kernel (6.18.44) in a namespace: nft
 * `udp dport 9999 meta mark set 0x7 log prefix "cap" group 5` in an inet
 * input chain, group bound with flags seq and qthresh 1, one UDP datagram
 * "vector" from 127.0.0.1:52385 to 127.0.0.1:9999 over lo. Carries the
 * packet header (ETH_P_IP, hook input), prefix, indev 1, mark 7, hwaddr
 * (6 zero bytes), hwtype 772 (ARPHRD_LOOPBACK), hwlen 14 and lo's
 * Ethernet-shaped hwheader (zero addresses, ETH_P_IP), the timestamp 1796379252.193762, seq 0 and the IPv4 packet.
 */
export const NFLOG_PACKET = fromHex(
  'ac 00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 02 00 00 05 08 00 01 00 08 00 01 00 08 00 0a 00',
  '63 61 70 00 08 00 04 00 00 00 00 01 08 00 02 00 00 00 00 07 10 00 08 00 00 06 00 00 00 00 00 00',
  '00 00 00 00 06 00 0f 00 03 04 00 00 06 00 11 00 00 0e 00 00 12 00 10 00 00 00 00 00 00 00 00 00',
  '00 00 00 00 08 00 00 00 14 00 03 00 00 00 00 00 6b 12 92 74 00 00 00 00 00 02 f4 e2 08 00 0c 00',
  '00 00 00 00 26 00 09 00 45 00 00 22 23 1b 40 00 40 11 19 ae 7f 00 00 01 7f 00 00 01 cc a1 27 0f',
  '00 0e c4 d2 76 65 63 74 6f 72 00 00',
);

/**
 * NFULNL_MSG_CONFIG binding group 5 as libnetfilter_log's nflog_bind_group()
 * writes it (nfgenmsg AF_UNSPEC, res_id htons(5), NFULA_CFG_CMD with the
 * one-byte NFULNL_CFG_CMD_BIND, padded), here with NLM_F_REQUEST | NLM_F_ACK
 * and sequence number 1.
 */
export const NFLOG_CONFIG_BIND = fromHex('1c 00 00 00 01 04 05 00 01 00 00 00 00 00 00 00 00 00 00 05 05 00 01 00 01 00 00 00');
