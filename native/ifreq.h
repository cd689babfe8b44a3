// Link-layer multicast addresses through ioctl(SIOCADDMULTI / SIOCDELMULTI)
// on a datagram socket, the way `ip maddress add|del` sets them: rtnetlink
// has no message for a device's hardware multicast list.
#ifndef NLKIT_IFREQ_H_
#define NLKIT_IFREQ_H_

#include <string>
#include <vector>

#include "addon_api.h"
#include "netns.h"

namespace nlkit {

// One SIOCADDMULTI or SIOCDELMULTI.
struct MulticastRequest {
  // true: SIOCADDMULTI; false: SIOCDELMULTI.
  bool add = true;
  // Family of the socket the ioctl goes through (ip: AF_INET unless -4/-6/-0 say otherwise).
  int family = 0;
  // ifr_name: IFNAMSIZ - 1 bytes at most.
  std::string name;
  // ifr_hwaddr.sa_data (sa_family stays AF_UNSPEC, which the kernel requires).
  std::vector<unsigned char> address;
};

// Opens a socket(family, SOCK_DGRAM), runs the ioctl and closes it, in the
// calling thread's network namespace (the device is looked up there).
SysStatus MulticastSet(const MulticastRequest& request);

// ifreqMulticast(add, family, name, address, netns): the JS entry point.
// netns is null or {path} | {pid} | {fd}; the ioctl then runs on a helper
// thread that entered that namespace. Throws a system error (errno, code,
// syscall 'socket', 'ioctl(SIOCADDMULTI)' or 'ioctl(SIOCDELMULTI)').
Napi::Value IfreqMulticastJs(const Napi::CallbackInfo& info);

}  // namespace nlkit

#endif  // NLKIT_IFREQ_H_
