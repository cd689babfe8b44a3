#include "socket.h"

#include <linux/filter.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "args.h"
#include "errors.h"
#include "netns.h"
#include "nstarget.h"

namespace nlkit {

Napi::Function Socket::Init(Napi::Env env) {
  return DefineClass(env, "Socket",
                     {
                         InstanceAccessor<&Socket::GetPortId>("portId"),
                         InstanceAccessor<&Socket::GetFd>("fd"),
                         InstanceAccessor<&Socket::GetSlabOffset>("slabOffset"),
                         InstanceMethod<&Socket::SetNetlinkOption>("setNetlinkOption"),
                         InstanceMethod<&Socket::GetNetlinkOption>("getNetlinkOption"),
                         InstanceMethod<&Socket::SetReceiveBuffer>("setReceiveBuffer"),
                         InstanceMethod<&Socket::SetSendBuffer>("setSendBuffer"),
                         InstanceMethod<&Socket::AttachFilter>("attachFilter"),
                         InstanceMethod<&Socket::DetachFilter>("detachFilter"),
                         InstanceMethod<&Socket::Send>("send"),
                         InstanceMethod<&Socket::ReceiveNow>("receiveNow"),
                         InstanceMethod<&Socket::SetSlab>("setSlab"),
                         InstanceMethod<&Socket::SetSpareSlab>("setSpareSlab"),
                         InstanceMethod<&Socket::Start>("start"),
                         InstanceMethod<&Socket::Pause>("pause"),
                         InstanceMethod<&Socket::Resume>("resume"),
                         InstanceMethod<&Socket::Ref>("ref"),
                         InstanceMethod<&Socket::Unref>("unref"),
                         InstanceMethod<&Socket::Close>("close"),
                     });
}

Socket::Socket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Socket>(info) {
  Napi::Env env = info.Env();
  const int protocol = static_cast<int>(IntegerArg(info, 0, "protocol", 0, INT_MAX));
  const uint32_t groups = U32Arg(info, 1, "groups");
  Napi::Value netns = info[2];
  if (!netns.IsNull() && !netns.IsUndefined() && !netns.IsObject()) {
    throw ArgTypeError(env, "The \"netns\" argument must be an object or null");
  }
  if (!info[3].IsFunction()) throw ArgTypeError(env, "The \"onBatch\" argument must be a function");

  UniqueFd sock;
  auto openSocket = [&sock, protocol, groups]() -> SysStatus {
    UniqueFd s(socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
    if (!s.valid()) return SysStatus::Fail(errno, "socket");
    struct sockaddr_nl addr {};
    addr.nl_family = AF_NETLINK;
    addr.nl_pid = 0;  // the kernel picks the port id
    addr.nl_groups = groups;
    if (bind(s.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) return SysStatus::Fail(errno, "bind");
    sock = std::move(s);
    return SysStatus();
  };

  SysStatus status;
  if (netns.IsObject()) {
    UniqueFd nsfd;
    status = OpenTarget(env, netns.As<Napi::Object>(), &nsfd);
    if (status.ok()) status = RunInNetns(nsfd.get(), openSocket);
  } else {
    status = openSocket();
  }
  if (!status.ok()) throw SystemError(env, status.err, status.syscall, status.path);

  // Every frame gets its multicast group (0 for unicast) from this cmsg.
  int one = 1;
  if (setsockopt(sock.get(), SOL_NETLINK, NETLINK_PKTINFO, &one, sizeof one) != 0) {
    throw SystemError(env, errno, "setsockopt");
  }
  struct sockaddr_nl local {};
  socklen_t localLength = sizeof local;
  if (getsockname(sock.get(), reinterpret_cast<struct sockaddr*>(&local), &localLength) != 0) {
    throw SystemError(env, errno, "getsockname");
  }
  portId_ = local.nl_pid;

  AddonData* data = env.GetInstanceData<AddonData>();
  Value().DefineProperty(Napi::PropertyDescriptor::Value(data->callbackKey.Value(), info[3], napi_default));
  data_ = data;

  // Last, so that nothing can throw after the hook exists.
  auto poller = std::make_unique<Poller>();
  poller->owner = this;
  if (napi_add_async_cleanup_hook(env, OnAsyncCleanup, poller.get(), &poller->hook) != napi_ok) {
    throw Napi::Error::New(env, "napi_add_async_cleanup_hook failed");
  }
  poller_ = poller.release();
  fd_ = std::move(sock);
}

Socket::~Socket() {
  // Reached open only when the GC collects a socket that was never started
  // (a live one holds a reference to itself until close()), or at env
  // teardown after the cleanup hook already closed it.
  CloseNative(false);
}

Napi::Value Socket::GetPortId(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), portId_); }

Napi::Value Socket::GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), closed_ ? -1 : fd_.get()); }

Napi::Value Socket::GetSlabOffset(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(slabOffset_));
}

void Socket::SetNetlinkOption(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  int option = IntArg(info, 0, "option");
  int value = IntArg(info, 1, "value");
  if (setsockopt(fd_.get(), SOL_NETLINK, option, &value, sizeof value) != 0) {
    throw SystemError(info.Env(), errno, "setsockopt");
  }
}

Napi::Value Socket::GetNetlinkOption(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  int option = IntArg(info, 0, "option");
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd_.get(), SOL_NETLINK, option, &value, &length) != 0) {
    throw SystemError(info.Env(), errno, "getsockopt");
  }
  return Napi::Number::New(info.Env(), value);
}

Napi::Value Socket::SetReceiveBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int bytes = static_cast<int>(IntegerArg(info, 0, "bytes", 0, INT_MAX));
  bool force = info[1].ToBoolean().Value();
  if (setsockopt(fd_.get(), SOL_SOCKET, force ? SO_RCVBUFFORCE : SO_RCVBUF, &bytes, sizeof bytes) != 0) {
    throw SystemError(env, errno, "setsockopt");
  }
  int actual = 0;
  socklen_t length = sizeof actual;
  if (getsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &actual, &length) != 0) throw SystemError(env, errno, "getsockopt");
  return Napi::Number::New(env, actual);
}

Napi::Value Socket::SetSendBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  int bytes = static_cast<int>(IntegerArg(info, 0, "bytes", 0, INT_MAX));
  if (setsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes) != 0) throw SystemError(env, errno, "setsockopt");
  int actual = 0;
  socklen_t length = sizeof actual;
  if (getsockopt(fd_.get(), SOL_SOCKET, SO_SNDBUF, &actual, &length) != 0) throw SystemError(env, errno, "getsockopt");
  return Napi::Number::New(env, actual);
}

void Socket::AttachFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  Napi::Uint8Array program = BytesArg(info, 0, "program");
  const size_t length = program.ByteLength();
  if (length == 0 || length % sizeof(struct sock_filter) != 0) {
    throw ArgRangeError(env, "The \"program\" argument must hold one or more 8-byte BPF instructions, got " +
                                 std::to_string(length) + " bytes");
  }
  const size_t count = length / sizeof(struct sock_filter);
  if (count > USHRT_MAX) throw ArgRangeError(env, "The \"program\" argument has too many instructions");
  // Copied so the instructions are aligned whatever the view's byte offset.
  std::vector<struct sock_filter> filter(count);
  std::memcpy(filter.data(), program.Data(), length);
  struct sock_fprog fprog {};
  fprog.len = static_cast<unsigned short>(count);
  fprog.filter = filter.data();
  if (setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) != 0) {
    throw SystemError(env, errno, "setsockopt");
  }
}

void Socket::DetachFilter(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  int unused = 0;
  if (setsockopt(fd_.get(), SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) != 0) {
    throw SystemError(info.Env(), errno, "setsockopt");
  }
}

}  // namespace nlkit
