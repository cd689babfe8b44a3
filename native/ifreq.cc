#include "ifreq.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "args.h"
#include "errors.h"
#include "fd.h"
#include "nstarget.h"

namespace nlkit {

SysStatus MulticastSet(const MulticastRequest& request) {
  UniqueFd fd(socket(request.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysStatus::Fail(errno, "socket");
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, request.name.data(), request.name.size());
  std::memcpy(ifr.ifr_hwaddr.sa_data, request.address.data(), request.address.size());
  if (request.add) {
    if (ioctl(fd.get(), SIOCADDMULTI, &ifr) != 0) return SysStatus::Fail(errno, "ioctl(SIOCADDMULTI)");
  } else if (ioctl(fd.get(), SIOCDELMULTI, &ifr) != 0) {
    return SysStatus::Fail(errno, "ioctl(SIOCDELMULTI)");
  }
  return SysStatus();
}

Napi::Value IfreqMulticastJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MulticastRequest request;
  if (!info[0].IsBoolean()) throw ArgTypeError(env, "The \"add\" argument must be a boolean");
  request.add = info[0].As<Napi::Boolean>().Value();
  request.family = static_cast<int>(IntegerArg(info, 1, "family", 0, 0xffff));
  request.name = IfnameArg(info, 2, "name", false);
  Napi::Uint8Array address = BytesArg(info, 3, "address");
  if (address.ByteLength() > sizeof(static_cast<struct ifreq*>(nullptr)->ifr_hwaddr.sa_data)) {
    throw ArgRangeError(env, "The \"address\" argument must be at most 14 bytes");
  }
  request.address.assign(address.Data(), address.Data() + address.ByteLength());
  CheckTargetArg(env, info[4]);
  SysStatus status = RunAtTarget(env, info[4], [&request]() { return MulticastSet(request); });
  if (!status.ok()) throw SystemError(env, status.err, status.syscall, status.path);
  return env.Undefined();
}

}  // namespace nlkit
