// tun/tap devices through /dev/net/tun, the way `ip tuntap` makes them: the
// kernel refuses to create them over rtnetlink (tun_validate() in
// drivers/net/tun.c answers EOPNOTSUPP).
#ifndef NLKIT_TUNTAP_H_
#define NLKIT_TUNTAP_H_

#include <string>

#include "addon_api.h"
#include "netns.h"

namespace nlkit {

// One round of the tun ioctls on a fresh /dev/net/tun fd.
struct TuntapRequest {
  // IFNAMSIZ - 1 bytes at most; empty lets the kernel pick tun%d / tap%d.
  std::string name;
  // ifr_flags of TUNSETIFF: IFF_TUN or IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE ...
  int flags = 0;
  // TUNSETOWNER / TUNSETGROUP argument, or -1 to leave it alone.
  long long owner = -1;
  long long group = -1;
  // TUNSETPERSIST argument: true keeps the device after the fd closes,
  // false lets it go with the fd (how a persistent device is deleted).
  bool persist = true;
};

// Runs TUNSETIFF, TUNSETOWNER, TUNSETGROUP, TUNSETPERSIST and closes the fd,
// in the calling thread's network namespace (the device lives in the
// namespace of the thread that opens /dev/net/tun). With persist false the
// device must exist already (ENODEV otherwise): TUNSETIFF would create a
// transient one only for it to vanish on close. `name` receives the
// device's name as TUNSETIFF returns it (a template like "tap%d" filled in).
SysStatus TuntapSet(const TuntapRequest& request, std::string* name);

// tuntapSet(name, flags, owner, group, persist, netns): the JS entry point.
// netns is null or {path} | {pid} | {fd}; the ioctls then run on a helper
// thread that entered that namespace. Returns the device's name; throws a
// system error (errno, code, syscall) on failure.
Napi::Value TuntapSetJs(const Napi::CallbackInfo& info);

}  // namespace nlkit

#endif  // NLKIT_TUNTAP_H_
