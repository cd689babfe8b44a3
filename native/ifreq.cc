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
  if (!info[2].IsString()) throw ArgTypeError(env, "The \"name\" argument must be a string");
  request.name = info[2].As<Napi::String>().Utf8Value();
  if (request.name.empty() || request.name.size() >= IFNAMSIZ || request.name.find('\0') != std::string::npos) {
    throw ArgRangeError(env, "The \"name\" argument must be 1 to " + std::to_string(IFNAMSIZ - 1) + " bytes without NUL");
  }
  if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw ArgTypeError(env, "The \"address\" argument must be a Uint8Array");
  }
  Napi::Uint8Array address = info[3].As<Napi::Uint8Array>();
  if (address.ByteLength() > sizeof(static_cast<struct ifreq*>(nullptr)->ifr_hwaddr.sa_data)) {
    throw ArgRangeError(env, "The \"address\" argument must be at most 14 bytes");
  }
  request.address.assign(address.Data(), address.Data() + address.ByteLength());
  Napi::Value netns = info[4];
  if (!netns.IsNull() && !netns.IsUndefined() && !netns.IsObject()) {
    throw ArgTypeError(env, "The \"netns\" argument must be an object or null");
  }

  auto run = [&request]() { return MulticastSet(request); };
  SysStatus status;
  if (netns.IsObject()) {
    UniqueFd nsfd;
    status = OpenTarget(env, netns.As<Napi::Object>(), &nsfd);
    if (status.ok()) status = RunInNetns(nsfd.get(), run);
  } else {
    status = run();
  }
  if (!status.ok()) throw SystemError(env, status.err, status.syscall, status.path);
  return env.Undefined();
}

}  // namespace nlkit
