// Proc connector messages captured from the kernel (6.18.44) for the
// connector tests and the fuzz corpus: whole netlink messages (nlmsghdr of
// type NLMSG_DONE, cn_msg, proc_event) as a NETLINK_CONNECTOR socket read
// them from group CN_IDX_PROC after PROC_CN_MCAST_LISTEN, while children
// ran `/bin/sh -c 'exit 3'` (pid 14739, parent 14684), `setsid /bin/true`,
// `setpriv --reuid=65534 --regid=65534 --clear-groups /bin/true`, node
// setting process.title = "nlkit-comm", `strace -o /dev/null /bin/true`
// and `sh -c 'ulimit -c 0; kill -SEGV $$'`. Bytes verbatim.
import { fromHex } from './hex.js';

/** fork: 14684 forks 14739. */
export const PROC_FORK = fromHex(
  '4c 00 00 00 03 00 00 00 17 00 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 17 00 00 00 00 00 00 00',
  '28 00 00 00 01 00 00 00 00 00 00 00 89 d3 5a c4',
  '0c 04 00 00 5c 39 00 00 5c 39 00 00 93 39 00 00',
  '93 39 00 00 00 00 00 00 00 00 00 00',
);

/** exec: 14739 execs /bin/sh. */
export const PROC_EXEC = fromHex(
  '4c 00 00 00 03 00 00 00 2e 00 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 2e 00 00 00 00 00 00 00',
  '28 00 00 00 02 00 00 00 01 00 00 00 9b 66 66 c4',
  '0c 04 00 00 93 39 00 00 93 39 00 00 00 00 00 00',
  '00 00 00 00 00 00 00 00 00 00 00 00',
);

/** exit: 14739 exits with status 3 (exit_code 0x300, exit_signal 17). */
export const PROC_EXIT_3 = fromHex(
  '4c 00 00 00 03 00 00 00 2f 00 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 2f 00 00 00 00 00 00 00',
  '28 00 00 00 00 00 00 80 01 00 00 00 89 cc 81 c4',
  '0c 04 00 00 93 39 00 00 93 39 00 00 00 03 00 00',
  '11 00 00 00 5c 39 00 00 5c 39 00 00',
);

/** sid: setsid. */
export const PROC_SID = fromHex(
  '4c 00 00 00 03 00 00 00 0c 02 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 0c 02 00 00 00 00 00 00',
  '28 00 00 00 80 00 00 00 01 00 00 00 d9 76 50 05',
  '10 04 00 00 c0 3f 00 00 c0 3f 00 00 00 00 00 00',
  '00 00 00 00 00 00 00 00 00 00 00 00',
);

/** uid: setpriv --reuid=65534. */
export const PROC_UID = fromHex(
  '4c 00 00 00 03 00 00 00 7d 01 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 7d 01 00 00 00 00 00 00',
  '28 00 00 00 04 00 00 00 00 00 00 00 b2 fd 7e 05',
  '10 04 00 00 c1 3f 00 00 c1 3f 00 00 fe ff 00 00',
  'fe ff 00 00 00 00 00 00 00 00 00 00',
);

/** gid: setpriv --regid=65534. */
export const PROC_GID = fromHex(
  '4c 00 00 00 03 00 00 00 7e 01 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 7e 01 00 00 00 00 00 00',
  '28 00 00 00 40 00 00 00 00 00 00 00 90 0b 7f 05',
  '10 04 00 00 c1 3f 00 00 c1 3f 00 00 fe ff 00 00',
  'fe ff 00 00 00 00 00 00 00 00 00 00',
);

/** comm: process.title = "nlkit-comm". */
export const PROC_COMM = fromHex(
  '4c 00 00 00 03 00 00 00 8a 01 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 8a 01 00 00 00 00 00 00',
  '28 00 00 00 00 02 00 00 00 00 00 00 ca 01 d8 08',
  '10 04 00 00 c2 3f 00 00 c2 3f 00 00 6e 6c 6b 69',
  '74 2d 63 6f 6d 6d 00 00 00 00 00 00',
);

/** ptrace: strace attaches. */
export const PROC_PTRACE = fromHex(
  '4c 00 00 00 03 00 00 00 8b 02 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 8b 02 00 00 00 00 00 00',
  '28 00 00 00 00 01 00 00 00 00 00 00 e9 bc 9e f1',
  '11 04 00 00 8b 42 00 00 8b 42 00 00 89 42 00 00',
  '89 42 00 00 00 00 00 00 00 00 00 00',
);

/** coredump: kill -SEGV with ulimit -c 0. */
export const PROC_COREDUMP = fromHex(
  '4c 00 00 00 03 00 00 00 8d 02 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 8d 02 00 00 00 00 00 00',
  '28 00 00 00 00 00 00 40 00 00 00 00 46 a7 a0 f1',
  '11 04 00 00 8a 42 00 00 8a 42 00 00 73 42 00 00',
  '73 42 00 00 00 00 00 00 00 00 00 00',
);

/** exit: the same process, ended by SIGSEGV (exit_code 11). */
export const PROC_EXIT_SEGV = fromHex(
  '4c 00 00 00 03 00 00 00 8e 02 00 00 00 00 00 00',
  '01 00 00 00 01 00 00 00 8e 02 00 00 00 00 00 00',
  '28 00 00 00 00 00 00 80 00 00 00 00 4f 48 a1 f1',
  '11 04 00 00 8a 42 00 00 8a 42 00 00 0b 00 00 00',
  '11 00 00 00 73 42 00 00 73 42 00 00',
);
