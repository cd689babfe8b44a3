// A device's link-layer multicast list, changed the way `ip maddress
// add|del` changes it: ioctl(SIOCADDMULTI / SIOCDELMULTI) with a struct
// ifreq, since rtnetlink has no message for it. For another namespace the
// addon runs the ioctl on a helper thread that entered it, never on the
// main thread.
import { checkString } from '../core/check.js';
import { IFNAMSIZ } from '../core/constants.js';
import { callEntry } from './native.js';
import { resolveNetnsTarget, type NetnsTarget } from './netns.js';

/** Room for an address in struct ifreq's ifr_hwaddr (struct sockaddr's sa_data, include/linux/socket.h). */
const SA_DATA_SIZE = 14;

/** One SIOCADDMULTI / SIOCDELMULTI. */
export interface MulticastChange {
  /** true adds the address (SIOCADDMULTI), false removes it (SIOCDELMULTI). */
  add: boolean;
  /** Device name. */
  ifname: string;
  /** The link-layer address (at most 14 bytes; Ethernet's are 6). */
  address: Uint8Array;
  /** Family of the socket the ioctl goes through (ip uses AF_INET unless -4, -6 or -0 name another). */
  family: number;
  /** Namespace of the device: a name under /run/netns, or { path }, { pid }, { fd }. Default: the current one. */
  netns?: NetnsTarget;
}

/**
 * Adds or removes a link-layer multicast address of a device. Failures are
 * system errors with `errno`, `code` and `syscall` ('socket',
 * 'ioctl(SIOCADDMULTI)', 'ioctl(SIOCDELMULTI)'): ENODEV for a device that
 * does not exist, ENOENT when removing an address the device does not have.
 */
export function changeMulticast(change: MulticastChange): void {
  // The kernel reads ifr_name itself (dev_ioctl() cuts it at a ':' alias): only what fits in it is checked here.
  const ifname = checkString(change.ifname, 'ifname');
  const size = new TextEncoder().encode(ifname).length;
  if (size === 0 || size >= IFNAMSIZ || ifname.includes('\0')) throw new RangeError(`ifname: '${ifname}' must be 1..${IFNAMSIZ - 1} bytes without NUL`);
  if (!(change.address instanceof Uint8Array)) throw new TypeError('address must be a Uint8Array');
  if (change.address.length > SA_DATA_SIZE) throw new RangeError(`address must be at most ${SA_DATA_SIZE} bytes, got ${change.address.length}`);
  const netns = change.netns === undefined ? null : resolveNetnsTarget(change.netns, 'netns');
  callEntry('ifreqMulticast', 'SIOCADDMULTI', (ifreqMulticast) => ifreqMulticast(change.add, change.family, ifname, change.address, netns));
}
