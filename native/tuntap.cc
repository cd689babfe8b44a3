#include "tuntap.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "args.h"
#include "errors.h"
#include "nstarget.h"

namespace nlkit {

namespace {

constexpr const char* kTunDevice = "/dev/net/tun";



}  // namespace

SysStatus TuntapSet(const TuntapRequest& request, std::string* name) {
  errno = 0;
  if (!request.persist && if_nametoindex(request.name.c_str()) == 0) {
    return SysStatus::Fail(errno != 0 ? errno : ENODEV, "if_nametoindex", request.name);
  }
  // ip opens it without O_CLOEXEC; a fork between open and close must not inherit the device.
  UniqueFd fd(open(kTunDevice, O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return SysStatus::Fail(errno, "open", kTunDevice);

  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, request.name.data(), request.name.size());
  ifr.ifr_flags = static_cast<short>(request.flags);
  // Syscall names carry the request, as ip's perror() lines do.
  if (ioctl(fd.get(), TUNSETIFF, &ifr) != 0) return SysStatus::Fail(errno, "ioctl(TUNSETIFF)");
  *name = std::string(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
  // From here on a failure closes the fd before TUNSETPERSIST: a new device goes with it.
  if (request.owner >= 0 && ioctl(fd.get(), TUNSETOWNER, static_cast<unsigned long>(request.owner)) != 0) {
    return SysStatus::Fail(errno, "ioctl(TUNSETOWNER)");
  }
  if (request.group >= 0 && ioctl(fd.get(), TUNSETGROUP, static_cast<unsigned long>(request.group)) != 0) {
    return SysStatus::Fail(errno, "ioctl(TUNSETGROUP)");
  }
  if (ioctl(fd.get(), TUNSETPERSIST, request.persist ? 1UL : 0UL) != 0) return SysStatus::Fail(errno, "ioctl(TUNSETPERSIST)");
  return SysStatus();
}

Napi::Value TuntapSetJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TuntapRequest request;
  request.name = IfnameArg(info, 0, "name", true);
  request.flags = static_cast<int>(IntegerArg(info, 1, "flags", 0, 0xffff));
  request.owner = static_cast<long long>(IntegerArg(info, 2, "owner", -1, 0xfffffffe));
  request.group = static_cast<long long>(IntegerArg(info, 3, "group", -1, 0xfffffffe));
  if (!info[4].IsBoolean()) throw ArgTypeError(env, "The \"persist\" argument must be a boolean");
  request.persist = info[4].As<Napi::Boolean>().Value();
  if (!request.persist && request.name.empty()) throw ArgRangeError(env, "The \"name\" argument must not be empty when persist is false");
  CheckTargetArg(env, info[5]);
  std::string name;
  SysStatus status = RunAtTarget(env, info[5], [&request, &name]() { return TuntapSet(request, &name); });
  if (!status.ok()) throw SystemError(env, status.err, status.syscall, status.path);
  return Napi::String::New(env, name);
}

}  // namespace nlkit
