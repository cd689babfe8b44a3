// Netlink bytes captured from a real kernel for the ack tests: see capture/capture.sh.
// Written by `python3 test/vectors/capture/extract.py` from the strace hexdumps
// of one capture run (kernel 6.18.44-fc-v669, 2026-11-21). Each constant says which command
// produced it; the bytes are copied verbatim (seq, port ids and timestamps are
// whatever that run had).
import { fromHex } from './hex.js';

/**
 * Success ack for `ip link set veth1 mtu 1300`: NLMSG_ERROR, error 0, NLM_F_CAPPED (request header only).
 * Capture `link-set-mtu-ack`: `ip link set veth1 mtu 1300`, datagram #5 (recv, 36 bytes).
 */
export const ACK_SUCCESS = fromHex('24 00 00 00 02 00 00 01 6f 23 02 6b 5d 1c 00 00', '00 00 00 00 28 00 00 00 10 00 05 00 6f 23 02 6b', '00 00 00 00');

/**
 * ENODEV for RTM_GETLINK ifindex 999 on a socket without NETLINK_EXT_ACK / CAP_ACK: the whole request echoed, no TLVs.
 * Capture `getlink-no-ext-ack`: `python3 test/vectors/capture/requests.py getlink-no-ext-ack`, datagram #1 (recv, 64 bytes).
 */
export const ACK_ENODEV_FULL_ECHO = fromHex(
  '40 00 00 00 02 00 00 00 06 00 00 00 19 1d 00 00',
  'ed ff ff ff 2c 00 00 00 12 00 05 00 06 00 00 00',
  '00 00 00 00 00 00 00 00 e7 03 00 00 00 00 00 00',
  '00 00 00 00 09 00 03 00 6e 6f 70 65 00 00 00 00',
);

/**
 * EINVAL for a 17-byte RTM_GETLINK (rtgenmsg only): the 17-byte echo is padded to 20, nlmsg_len 40.
 * Capture `getlink-unaligned`: `python3 test/vectors/capture/requests.py getlink-unaligned`, datagram #1 (recv, 40 bytes).
 */
export const ACK_EINVAL_UNALIGNED_ECHO = fromHex('28 00 00 00 02 00 00 00 08 00 00 00 45 1d 00 00', 'ea ff ff ff 11 00 00 00 12 00 05 00 08 00 00 00', '00 00 00 00 00 00 00 00');

/**
 * `ip link add nlkit0 type nosuchkind`: EOPNOTSUPP, whole request echoed, NLMSGERR_ATTR_MSG "Unknown device type".
 * Capture `err-unknown-kind`: `ip link add nlkit0 type nosuchkind`, datagram #3 (recv, 108 bytes).
 */
export const ACK_EOPNOTSUPP_UNKNOWN_KIND = fromHex(
  '6c 00 00 00 02 00 00 02 6f 23 02 6b 61 1c 00 00',
  'a1 ff ff ff 40 00 00 00 10 00 05 06 6f 23 02 6b',
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
  '00 00 00 00 0b 00 03 00 6e 6c 6b 69 74 30 00 00',
  '14 00 12 00 0e 00 01 00 6e 6f 73 75 63 68 6b 69',
  '6e 64 00 00 18 00 01 00 55 6e 6b 6e 6f 77 6e 20',
  '64 65 76 69 63 65 20 74 79 70 65 00',
);

/**
 * `ip addr add 192.0.2.1/24 dev veth0` a second time: EEXIST, "ipv4: Address already assigned".
 * Capture `err-addr-exists`: `ip addr add 192.0.2.1/24 dev veth0`, datagram #3 (recv, 96 bytes).
 */
export const ACK_EEXIST_ADDRESS = fromHex(
  '60 00 00 00 02 00 00 02 6f 23 02 6b 65 1c 00 00',
  'ef ff ff ff 28 00 00 00 14 00 05 06 6f 23 02 6b',
  '00 00 00 00 02 18 00 00 03 00 00 00 08 00 02 00',
  'c0 00 02 01 08 00 01 00 c0 00 02 01 23 00 01 00',
  '69 70 76 34 3a 20 41 64 64 72 65 73 73 20 61 6c',
  '72 65 61 64 79 20 61 73 73 69 67 6e 65 64 00 00',
);

/**
 * nlctrl getfamily with a 20-byte name: EINVAL, capped, MSG + OFFS 20 + POLICY {type nul-string, max-length 15}.
 * Capture `ctrl-name-too-long`: `python3 test/vectors/capture/requests.py ctrl-name-too-long`, datagram #1 (recv, 104 bytes).
 */
export const ACK_EINVAL_POLICY = fromHex(
  '68 00 00 00 02 00 00 03 04 00 00 00 c1 1c 00 00',
  'ea ff ff ff 2c 00 00 00 10 00 05 00 04 00 00 00',
  '00 00 00 00 27 00 01 00 41 74 74 72 69 62 75 74',
  '65 20 66 61 69 6c 65 64 20 70 6f 6c 69 63 79 20',
  '76 61 6c 69 64 61 74 69 6f 6e 00 00 08 00 02 00',
  '14 00 00 00 14 00 04 80 08 00 07 00 0f 00 00 00',
  '08 00 01 00 0c 00 00 00',
);

/**
 * netdev dev-get without ifindex: EINVAL, whole 20-byte request echoed, MISS_TYPE 1.
 * Capture `dev-get-missing-ifindex`: `python3 test/vectors/capture/requests.py dev-get-missing-ifindex`, datagram #3 (recv, 48 bytes).
 */
export const ACK_EINVAL_MISSING_TYPE = fromHex(
  '30 00 00 00 02 00 00 02 02 00 00 00 69 1c 00 00',
  'ea ff ff ff 14 00 00 00 14 00 05 00 02 00 00 00',
  '00 00 00 00 01 01 00 00 08 00 05 00 01 00 00 00',
);

/**
 * ethtool tsinfo-get for lo with an empty hwtstamp-provider nest: EINVAL, capped, MISS_TYPE 1, MISS_NEST 32.
 * Capture `tsinfo-missing-index`: `python3 test/vectors/capture/requests.py tsinfo-missing-index`, datagram #3 (recv, 52 bytes).
 */
export const ACK_EINVAL_MISSING_NEST = fromHex(
  '34 00 00 00 02 00 00 03 03 00 00 00 95 1c 00 00',
  'ea ff ff ff 24 00 00 00 15 00 05 00 03 00 00 00',
  '00 00 00 00 08 00 05 00 01 00 00 00 08 00 06 00',
  '20 00 00 00',
);

/**
 * RTM_NEWLINK lo IFLA_GSO_MAX_SEGS 70000: EINVAL, capped, MSG "too big gso_max_segs".
 * Capture `setlink-gso-max-segs`: `python3 test/vectors/capture/requests.py setlink-gso-max-segs`, datagram #1 (recv, 64 bytes).
 */
export const ACK_EINVAL_MESSAGE_ONLY = fromHex(
  '40 00 00 00 02 00 00 03 07 00 00 00 71 1d 00 00',
  'ea ff ff ff 28 00 00 00 10 00 05 00 07 00 00 00',
  '00 00 00 00 19 00 01 00 74 6f 6f 20 62 69 67 20',
  '67 73 6f 5f 6d 61 78 5f 73 65 67 73 00 00 00 00',
);

/**
 * Strict RTM_GETROUTE dump with rtm_dst_len 8: NLMSG_DONE carrying -EINVAL and NLMSGERR_ATTR_MSG (NLM_F_ACK_TLVS).
 * Capture `route-dump-bad-header`: `python3 test/vectors/capture/requests.py route-dump-bad-header`, datagram #1 (recv, 72 bytes).
 */
export const DONE_WITH_ERROR = fromHex(
  '48 00 00 00 03 00 02 02 05 00 00 00 ed 1c 00 00',
  'ea ff ff ff 32 00 01 00 49 6e 76 61 6c 69 64 20',
  '76 61 6c 75 65 73 20 69 6e 20 68 65 61 64 65 72',
  '20 66 6f 72 20 46 49 42 20 64 75 6d 70 20 72 65',
  '71 75 65 73 74 00 00 00',
);

/**
 * The request ACK_ENODEV_FULL_ECHO answers.
 * Capture `getlink-no-ext-ack`: `python3 test/vectors/capture/requests.py getlink-no-ext-ack`, datagram #0 (send, 44 bytes).
 */
export const ACK_ENODEV_FULL_ECHO_REQUEST = fromHex(
  '2c 00 00 00 12 00 05 00 06 00 00 00 00 00 00 00',
  '00 00 00 00 e7 03 00 00 00 00 00 00 00 00 00 00',
  '09 00 03 00 6e 6f 70 65 00 00 00 00',
);

/**
 * The 17-byte request ACK_EINVAL_UNALIGNED_ECHO answers.
 * Capture `getlink-unaligned`: `python3 test/vectors/capture/requests.py getlink-unaligned`, datagram #0 (send, 17 bytes).
 */
export const ACK_EINVAL_UNALIGNED_ECHO_REQUEST = fromHex('11 00 00 00 12 00 05 00 08 00 00 00 00 00 00 00', '00');

/**
 * The request ACK_EOPNOTSUPP_UNKNOWN_KIND answers.
 * Capture `err-unknown-kind`: `ip link add nlkit0 type nosuchkind`, datagram #2 (send, 64 bytes).
 */
export const ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST = fromHex(
  '40 00 00 00 10 00 05 06 6f 23 02 6b 00 00 00 00',
  '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
  '0b 00 03 00 6e 6c 6b 69 74 30 00 00 14 00 12 00',
  '0e 00 01 00 6e 6f 73 75 63 68 6b 69 6e 64 00 00',
);

/**
 * The request ACK_EINVAL_POLICY answers.
 * Capture `ctrl-name-too-long`: `python3 test/vectors/capture/requests.py ctrl-name-too-long`, datagram #0 (send, 44 bytes).
 */
export const ACK_EINVAL_POLICY_REQUEST = fromHex(
  '2c 00 00 00 10 00 05 00 04 00 00 00 00 00 00 00',
  '03 01 00 00 18 00 02 00 78 78 78 78 78 78 78 78',
  '78 78 78 78 78 78 78 78 78 78 78 00',
);

/**
 * The request ACK_EINVAL_MISSING_NEST answers.
 * Capture `tsinfo-missing-index`: `python3 test/vectors/capture/requests.py tsinfo-missing-index`, datagram #2 (send, 36 bytes).
 */
export const ACK_EINVAL_MISSING_NEST_REQUEST = fromHex('24 00 00 00 15 00 05 00 03 00 00 00 00 00 00 00', '19 01 00 00 0c 00 01 80 07 00 02 00 6c 6f 00 00', '04 00 07 80');

/**
 * The request DONE_WITH_ERROR answers.
 * Capture `route-dump-bad-header`: `python3 test/vectors/capture/requests.py route-dump-bad-header`, datagram #0 (send, 28 bytes).
 */
export const DONE_WITH_ERROR_REQUEST = fromHex('1c 00 00 00 1a 00 01 03 05 00 00 00 00 00 00 00', '02 08 00 00 00 00 00 00 00 00 00 00');
