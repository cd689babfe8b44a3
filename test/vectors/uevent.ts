// kobject uevent datagrams captured from the kernel (6.18.44), for the uevent
// decoder tests and the fuzz corpus. Captured with a NETLINK_KOBJECT_UEVENT
// socket (nlkit's, datagram framing, group 1) opened in a throwaway
// namespace while `ip -n NS link add v0 type veth peer name v1`, `ip -n NS
// link set v0 name eth7`, a synthetic event written with `ip netns exec NS
// sh -c 'echo "change 2f3d6f3e-8c1d-4f4e-9a7b-5e6d7c8b9a01 NLKIT=capture" >
// /sys/class/net/v0/uevent'` and `ip -n NS link del` ran. Bytes verbatim
// (sequence numbers and ifindexes are that run's).
import { fromHex } from './hex.js';

/** add of veth v1 (`ip link add v0 type veth peer name v1`). */
export const UEVENT_ADD_V1 = fromHex(
  '61 64 64 40 2f 64 65 76 69 63 65 73 2f 76 69 72',
  '74 75 61 6c 2f 6e 65 74 2f 76 31 00 41 43 54 49',
  '4f 4e 3d 61 64 64 00 44 45 56 50 41 54 48 3d 2f',
  '64 65 76 69 63 65 73 2f 76 69 72 74 75 61 6c 2f',
  '6e 65 74 2f 76 31 00 53 55 42 53 59 53 54 45 4d',
  '3d 6e 65 74 00 49 4e 54 45 52 46 41 43 45 3d 76',
  '31 00 49 46 49 4e 44 45 58 3d 32 00 53 45 51 4e',
  '55 4d 3d 31 32 36 36 31 30 00',
);

/** add of v1's receive queue rx-0 (subsystem queues: no INTERFACE). */
export const UEVENT_ADD_QUEUE = fromHex(
  '61 64 64 40 2f 64 65 76 69 63 65 73 2f 76 69 72',
  '74 75 61 6c 2f 6e 65 74 2f 76 31 2f 71 75 65 75',
  '65 73 2f 72 78 2d 30 00 41 43 54 49 4f 4e 3d 61',
  '64 64 00 44 45 56 50 41 54 48 3d 2f 64 65 76 69',
  '63 65 73 2f 76 69 72 74 75 61 6c 2f 6e 65 74 2f',
  '76 31 2f 71 75 65 75 65 73 2f 72 78 2d 30 00 53',
  '55 42 53 59 53 54 45 4d 3d 71 75 65 75 65 73 00',
  '53 45 51 4e 55 4d 3d 31 32 36 36 31 31 00',
);

/** synthetic change of v0 with a UUID and one argument (SYNTH_UUID, SYNTH_ARG_NLKIT). */
export const UEVENT_CHANGE_SYNTH = fromHex(
  '63 68 61 6e 67 65 40 2f 64 65 76 69 63 65 73 2f',
  '76 69 72 74 75 61 6c 2f 6e 65 74 2f 76 30 00 41',
  '43 54 49 4f 4e 3d 63 68 61 6e 67 65 00 44 45 56',
  '50 41 54 48 3d 2f 64 65 76 69 63 65 73 2f 76 69',
  '72 74 75 61 6c 2f 6e 65 74 2f 76 30 00 53 55 42',
  '53 59 53 54 45 4d 3d 6e 65 74 00 53 59 4e 54 48',
  '5f 55 55 49 44 3d 32 66 33 64 36 66 33 65 2d 38',
  '63 31 64 2d 34 66 34 65 2d 39 61 37 62 2d 35 65',
  '36 64 37 63 38 62 39 61 30 31 00 53 59 4e 54 48',
  '5f 41 52 47 5f 4e 4c 4b 49 54 3d 63 61 70 74 75',
  '72 65 00 49 4e 54 45 52 46 41 43 45 3d 76 30 00',
  '49 46 49 4e 44 45 58 3d 33 00 53 45 51 4e 55 4d',
  '3d 31 32 36 36 32 34 00',
);

/** move of v0 renamed eth7 (`ip link set v0 name eth7`: DEVPATH_OLD). */
export const UEVENT_MOVE = fromHex(
  '6d 6f 76 65 40 2f 64 65 76 69 63 65 73 2f 76 69',
  '72 74 75 61 6c 2f 6e 65 74 2f 65 74 68 37 00 41',
  '43 54 49 4f 4e 3d 6d 6f 76 65 00 44 45 56 50 41',
  '54 48 3d 2f 64 65 76 69 63 65 73 2f 76 69 72 74',
  '75 61 6c 2f 6e 65 74 2f 65 74 68 37 00 53 55 42',
  '53 59 53 54 45 4d 3d 6e 65 74 00 44 45 56 50 41',
  '54 48 5f 4f 4c 44 3d 2f 64 65 76 69 63 65 73 2f',
  '76 69 72 74 75 61 6c 2f 6e 65 74 2f 76 30 00 49',
  '4e 54 45 52 46 41 43 45 3d 65 74 68 37 00 49 46',
  '49 4e 44 45 58 3d 33 00 53 45 51 4e 55 4d 3d 31',
  '30 31 39 32 30 00',
);

/** remove of v0 (`ip link del v0`). */
export const UEVENT_REMOVE_V0 = fromHex(
  '72 65 6d 6f 76 65 40 2f 64 65 76 69 63 65 73 2f',
  '76 69 72 74 75 61 6c 2f 6e 65 74 2f 76 30 00 41',
  '43 54 49 4f 4e 3d 72 65 6d 6f 76 65 00 44 45 56',
  '50 41 54 48 3d 2f 64 65 76 69 63 65 73 2f 76 69',
  '72 74 75 61 6c 2f 6e 65 74 2f 76 30 00 53 55 42',
  '53 59 53 54 45 4d 3d 6e 65 74 00 49 4e 54 45 52',
  '46 41 43 45 3d 76 30 00 49 46 49 4e 44 45 58 3d',
  '33 00 53 45 51 4e 55 4d 3d 31 32 36 36 32 37 00',
);
