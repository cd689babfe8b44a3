#include "socket.h"

#include <linux/filter.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <sched.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>

#include "errors.h"
#include "netns.h"
#include "nstarget.h"

namespace nlkit {

// The libuv handles live apart from the Socket because libuv may still hold
// them after the Socket is gone (uv_close completes on a later loop turn).
// The Poller also carries the env's async cleanup hook, so that a worker or
// process teardown waits until the handles are really closed.
struct Socket::Poller {
  uv_poll_t handle{};
  // Retries queued sends. Netlink never wakes a sender when the receiving
  // socket drains (EPOLLOUT only reflects the sender's own buffer), so after
  // one retry on writable, retries back off on this timer.
  uv_timer_t retry{};
  Socket* owner = nullptr;  // null once the socket closed
  napi_async_cleanup_hook_handle hook = nullptr;
  bool initialized = false;  // uv_poll_init / uv_timer_init done
  int events = 0;            // events the poll is started with (0: stopped)
  int closing = 0;           // handles (and a read-ahead) whose completion is pending
  ReadAhead* readAhead = nullptr;  // queued or running on a libuv worker
};

// A read-ahead: a libuv worker receives datagrams into the slab's free tail
// (memory JS has not been told about yet) and a frame list of its own, while
// the loop thread runs JS on the datagrams before them. The loop thread does
// not read meanwhile, so datagrams keep their order; the results are copied
// into the JS frame table on the loop thread.
struct Socket::ReadAhead {
  uv_work_t work{};
  Poller* poller = nullptr;
  int fd = -1;
  uint8_t* slab = nullptr;
  size_t end = 0;  // where the next datagram goes (starts at the slab offset)
  size_t limit = 0;
  uint32_t maxFrames = 0;
  uint32_t frames[kReadAheadBurst * kFrameWords] = {};
  uint32_t count = 0;
  bool drained = false;  // stopped on EAGAIN: nothing more to read now
  int err = 0;           // stopped on this recvmsg error
  std::atomic<bool> finished{false};  // the worker no longer touches the fd or the slab
  RecvScratch scratch;
};

namespace {

constexpr uint64_t kRetryFirstMs = 1;
constexpr uint64_t kRetryMaxMs = 50;

// Hands a JS error to process 'uncaughtException', as Node does for an
// exception thrown by any I/O callback. False when JS cannot run any more
// (napi_fatal_exception refuses then): the caller marks JS gone.
bool ReportUncaught(napi_env env, AddonData* data, napi_value error) {
  if (data->jsGone || error == nullptr) return false;
  return napi_fatal_exception(env, error) == napi_ok;
}

// After a Node-API call failed in a libuv callback. An exception is pending
// when JS threw (the batch callback) or was terminated while it ran: it is
// cleared either way, and reported unless JS is gone. A failure with no
// exception pending means the environment refuses JS (NAPI_PREAMBLE's
// can_call_into_js check): it is being torn down.
void AfterFailedCall(napi_env env, AddonData* data) {
  bool pending = false;
  napi_value exception = nullptr;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_get_and_clear_last_exception(env, &exception);
  }
  if (!ReportUncaught(env, data, exception)) data->jsGone = true;
}

// Reports what escaped a libuv callback (`error`, or a new Error with
// `message` when there is none) as an uncaught exception; marks JS gone when
// that cannot be done.
void ReportEscaped(napi_env env, AddonData* data, napi_value error, const char* message) {
  if (data->jsGone) return;
  napi_value text = nullptr;
  if (error == nullptr && (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text) != napi_ok ||
                           napi_create_error(env, nullptr, text, &error) != napi_ok)) {
    error = nullptr;
  }
  if (!ReportUncaught(env, data, error)) data->jsGone = true;
}

// Runs the body of a libuv callback. Nothing may unwind into libuv: a C++
// exception that escapes (none is expected: the bodies use plain Node-API
// calls) becomes a process 'uncaughtException' while JS can still run, and
// is dropped once it cannot.
template <typename F>
void FromLoop(napi_env env, AddonData* data, F&& body) {
  try {
    body();
  } catch (const Napi::Error& e) {
    // The error's object through its reference: Napi::Error::Value() makes
    // more calls that may throw again.
    napi_value error = nullptr;
    const napi_ref ref = e;
    if (data->jsGone || ref == nullptr || napi_get_reference_value(env, ref, &error) != napi_ok) error = nullptr;
    ReportEscaped(env, data, error, "nlkit: a Node-API call failed in a libuv callback");
  } catch (const std::exception& e) {
    ReportEscaped(env, data, nullptr, e.what());
  } catch (...) {
    ReportEscaped(env, data, nullptr, "nlkit: unknown exception in a libuv callback");
  }
}

}  // namespace

// A handle scope for a libuv callback, opened without node-addon-api.
class Socket::LoopScope {
 public:
  explicit LoopScope(napi_env env) : env_(env) {
    if (napi_open_handle_scope(env, &scope_) != napi_ok) scope_ = nullptr;
  }
  ~LoopScope() {
    if (scope_ != nullptr) napi_close_handle_scope(env_, scope_);
  }
  LoopScope(const LoopScope&) = delete;
  LoopScope& operator=(const LoopScope&) = delete;
  bool ok() const { return scope_ != nullptr; }

 private:
  napi_env env_;
  napi_handle_scope scope_ = nullptr;
};

namespace {

size_t AlignUp4(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

enum class Received { kFrame, kDrained, kError };

// Receives one datagram into slab[offset, offset + space) and describes it
// in `frame` (an overrun is a frame too). *advance is how far the slab
// offset moves; *err is set for kError. Runs on the loop thread or a worker.
Received ReceiveOne(int fd, uint8_t* slab, size_t offset, size_t space, uint32_t* frame, RecvScratch* scratch, size_t* advance, int* err) {
  *advance = 0;
  struct iovec iov {};
  struct msghdr msg {};
  for (;;) {
    iov.iov_base = slab + offset;
    iov.iov_len = space;
    msg.msg_name = &scratch->peer;
    msg.msg_namelen = sizeof scratch->peer;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = scratch->control;
    msg.msg_controllen = sizeof scratch->control;
    msg.msg_flags = 0;
    scratch->peer.nl_pid = 0;
    // MSG_TRUNC: netlink returns the datagram's real length.
    ssize_t n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
      const int e = errno;
      if (e == EINTR) continue;
      if (e == EAGAIN || e == EWOULDBLOCK) return Received::kDrained;
      if (e == ENOBUFS) {
        // The kernel dropped messages for this socket (netlink_overrun).
        frame[kFrameOffset] = static_cast<uint32_t>(offset);
        frame[kFrameLength] = 0;
        frame[kFramePort] = 0;
        frame[kFrameGroup] = 0;
        frame[kFrameNsid] = kNsidNone;
        frame[kFrameFlags] = kFrameOverrun;
        return Received::kFrame;
      }
      *err = e;
      return Received::kError;
    }
    const size_t length = static_cast<size_t>(n);
    uint32_t group = 0;
    uint32_t nsid = kNsidNone;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_NETLINK) continue;
      if (c->cmsg_type == NETLINK_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct nl_pktinfo))) {
        struct nl_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        group = info.group;
      } else if (c->cmsg_type == NETLINK_LISTEN_ALL_NSID && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int id;
        std::memcpy(&id, CMSG_DATA(c), sizeof id);
        nsid = static_cast<uint32_t>(id);
      }
    }
    const bool truncated = length > space || (msg.msg_flags & MSG_TRUNC) != 0;
    const size_t stored = std::min(length, space);
    frame[kFrameOffset] = static_cast<uint32_t>(offset);
    frame[kFrameLength] = static_cast<uint32_t>(length);
    frame[kFramePort] = scratch->peer.nl_pid;
    frame[kFrameGroup] = group;
    frame[kFrameNsid] = nsid;
    frame[kFrameFlags] = truncated ? kFrameTruncated : 0;
    *advance = std::min(AlignUp4(stored), space);
    return Received::kFrame;
  }
}

uint32_t U32Arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<uint32_t>(IntegerArg(info, index, name, 0, 4294967295.0));
}

int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return static_cast<int>(IntegerArg(info, index, name, INT_MIN, INT_MAX));
}

bool IsTypedArrayOf(const Napi::Value& value, napi_typedarray_type type) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == type;
}

Napi::Uint8Array BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Value value = info[index];
  if (!IsTypedArrayOf(value, napi_uint8_array)) {
    throw ArgTypeError(info.Env(), std::string("The \"") + name + "\" argument must be a Uint8Array");
  }
  return value.As<Napi::Uint8Array>();
}


}  // namespace

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

// ---- lifetime -------------------------------------------------------------

void Socket::CheckOpen(Napi::Env env) const {
  if (closed_) throw SocketClosedError(env);
}

void Socket::EnsureLive(Napi::Env env) {
  if (live_) return;
  if (!poller_->initialized) {
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      throw Napi::Error::New(env, "napi_get_uv_event_loop failed");
    }
    int r = uv_poll_init(loop, &poller_->handle, fd_.get());
    if (r != 0) throw SystemError(env, -r, "uv_poll_init");
    uv_timer_init(loop, &poller_->retry);  // cannot fail
    poller_->handle.data = poller_;
    poller_->retry.data = poller_;
    poller_->initialized = true;
    if (!refed_) {
      uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->handle));
      uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->retry));
    }
  }
  AddonData* data = env.GetInstanceData<AddonData>();
  Napi::Value callback = Value().Get(data->callbackKey.Value());
  onBatch_ = Napi::Persistent(callback.As<Napi::Function>());
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "nlkit:NetlinkSocket", Value());
  // A polling socket must survive while its JS owner forgets it, like a
  // dgram socket: it lives until close().
  ObjectWrap::Ref();
  live_ = true;
}

int Socket::UpdatePoll() {
  if (closed_ || poller_ == nullptr || !poller_->initialized) return 0;
  int events = 0;
  if (ReadingWanted()) {
    events |= UV_READABLE;
    if (!queue_.empty()) events |= UV_WRITABLE;
  } else if (!queue_.empty() && !errorPending_ && !broken_ && !JsGone()) {
    events |= UV_WRITABLE;
  }
  if (retryArmed_) events &= ~UV_WRITABLE;
  if (events == poller_->events) return 0;
  int r = events == 0 ? uv_poll_stop(&poller_->handle) : uv_poll_start(&poller_->handle, events, OnPoll);
  if (r == 0) poller_->events = events;
  return r;
}

void Socket::UpdatePollOrThrow(Napi::Env env) {
  int r = UpdatePoll();
  if (r != 0) throw SystemError(env, -r, "uv_poll_start");
}

void Socket::CloseNative(bool teardown) {
  if (closed_) return;
  // A worker reading ahead uses the fd and the slab: let it finish first.
  StopReadAhead();
  closed_ = true;
  Poller* poller = poller_;
  poller_ = nullptr;
  // The poll must be stopped and closed while the fd is still open: libuv
  // removes it from epoll by fd number.
  if (poller != nullptr) DisposePoller(poller);
  fd_.reset();
  queue_.clear();
  queuedPerPort_.clear();
  slab_ = nullptr;
  slabLength_ = slabOffset_ = 0;
  frames_ = nullptr;
  frameCapacity_ = 0;
  if (teardown) return;  // JS handles are released by the destructor
  slabRef_.Reset();
  spareRef_.Reset();
  spare_ = nullptr;
  framesRef_.Reset();
  onBatch_.Reset();
  asyncContext_.reset();
  if (live_) {
    live_ = false;
    ObjectWrap::Unref();
  }
}

void Socket::DisposePoller(Poller* poller) {
  poller->owner = nullptr;
  if (poller->initialized) {
    uv_poll_stop(&poller->handle);
    uv_timer_stop(&poller->retry);
    // A read-ahead's done callback is still to come: the poller (and the env
    // cleanup hook) waits for it too.
    poller->closing = poller->readAhead != nullptr ? 3 : 2;
    uv_close(reinterpret_cast<uv_handle_t*>(&poller->handle), OnHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&poller->retry), OnHandleClosed);
    return;
  }
  FreePoller(poller);
}

void Socket::OnHandleClosed(uv_handle_t* handle) {
  Poller* poller = static_cast<Poller*>(handle->data);
  if (--poller->closing == 0) FreePoller(poller);
}

void Socket::FreePoller(Poller* poller) {
  // Lets a waiting env teardown go on.
  if (poller->hook != nullptr) napi_remove_async_cleanup_hook(poller->hook);
  delete poller;
}

void Socket::OnAsyncCleanup(napi_async_cleanup_hook_handle /*handle*/, void* arg) {
  // The environment is going away: close without calling into JS. The hook
  // is removed (teardown may go on) once libuv has closed the handle.
  Poller* poller = static_cast<Poller*>(arg);
  if (poller->owner != nullptr) poller->owner->CloseNative(true);
  // Otherwise close() already ran and the handle is closing.
}

// ---- JS methods -----------------------------------------------------------

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

int Socket::SendNow(const uint8_t* data, size_t length, uint32_t port, uint32_t groups) const {
  struct sockaddr_nl to {};
  to.nl_family = AF_NETLINK;
  to.nl_pid = port;
  to.nl_groups = groups;
  for (;;) {
    ssize_t n = sendto(fd_.get(), data, length, 0, reinterpret_cast<const struct sockaddr*>(&to), sizeof to);
    if (n >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

Napi::Value Socket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  Napi::Uint8Array bytes = BytesArg(info, 0, "bytes");
  const uint32_t port = U32Arg(info, 1, "port");
  const uint32_t groups = U32Arg(info, 2, "groups");
  const uint8_t* data = bytes.Data();
  const size_t length = bytes.ByteLength();

  if (!Queued(port)) {
    int err = SendNow(data, length, port, groups);
    if (err == 0) return Napi::Boolean::New(env, true);
    if (err != EAGAIN && err != EWOULDBLOCK) throw SystemError(env, err, "sendto");
  }
  // Queued behind earlier bytes to the same port (order is kept) or the kernel said EAGAIN.
  EnsureLive(env);
  queue_.push_back(PendingSend{std::vector<uint8_t>(data, data + length), port, groups});
  ++queuedPerPort_[port];
  int r = UpdatePoll();
  if (r != 0) {
    queue_.pop_back();
    Dequeued(port);
    throw SystemError(env, -r, "uv_poll_start");
  }
  return Napi::Boolean::New(env, false);
}

void Socket::SetSlab(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  if (ReadAheadActive()) throw Napi::Error::New(env, "setSlab: a read-ahead is writing into the current slab");
  Napi::Uint8Array slab = BytesArg(info, 0, "slab");
  const size_t slabLength = slab.ByteLength();
  const double offset = IntegerArg(info, 1, "offset", 0, static_cast<double>(slabLength));
  if (!IsTypedArrayOf(info[2], napi_uint32_array)) {
    throw ArgTypeError(env, "The \"frames\" argument must be a Uint32Array");
  }
  Napi::Uint32Array frames = info[2].As<Napi::Uint32Array>();
  if (frames.ElementLength() < kFrameWords) {
    throw ArgRangeError(env, "The \"frames\" argument must have room for at least one frame (" +
                                 std::to_string(kFrameWords) + " elements)");
  }
  // Data() makes V8 move small on-heap typed arrays to a fixed backing
  // store, so the raw pointers stay valid while the references live.
  slab_ = slab.Data();
  slabLength_ = slabLength;
  slabOffset_ = std::min(AlignUp4(static_cast<size_t>(offset)), slabLength);
  frames_ = frames.Data();
  frameCapacity_ = frames.ElementLength() / kFrameWords;
  slabRef_ = Napi::Persistent(slab);
  framesRef_ = Napi::Persistent(frames);
  if (waitingForSlab_) {
    waitingForSlab_ = false;
    UpdatePollOrThrow(env);
  }
}

void Socket::SetSpareSlab(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  Napi::Uint8Array slab = BytesArg(info, 0, "slab");
  if (slab.ByteLength() < kMaxDatagram) {
    throw ArgRangeError(env, "The \"slab\" argument must hold at least one maximum datagram (" + std::to_string(kMaxDatagram) + " bytes)");
  }
  spare_ = slab.Data();
  spareLength_ = slab.ByteLength();
  spareRef_ = Napi::Persistent(slab);
}

bool Socket::SwitchToSpare() {
  if (spare_ == nullptr || FreeTail() >= kMaxDatagram || ReadAheadActive()) return false;
  slab_ = spare_;
  slabLength_ = spareLength_;
  slabOffset_ = 0;
  slabRef_ = std::move(spareRef_);
  spareRef_ = Napi::Reference<Napi::Uint8Array>();
  spare_ = nullptr;
  spareLength_ = 0;
  return true;
}

void Socket::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  if (started_) return;
  EnsureLive(env);
  started_ = true;
  UpdatePollOrThrow(env);
}

void Socket::Pause(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  userPaused_ = true;
  UpdatePollOrThrow(info.Env());
}

void Socket::Resume(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  userPaused_ = false;
  UpdatePollOrThrow(info.Env());
}

void Socket::Ref(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  refed_ = true;
  if (poller_->initialized) {
    uv_ref(reinterpret_cast<uv_handle_t*>(&poller_->handle));
    uv_ref(reinterpret_cast<uv_handle_t*>(&poller_->retry));
  }
}

void Socket::Unref(const Napi::CallbackInfo& info) {
  CheckOpen(info.Env());
  refed_ = false;
  if (poller_->initialized) {
    uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->handle));
    uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->retry));
  }
}

void Socket::Close(const Napi::CallbackInfo& /*info*/) {
  CloseNative(false);
}

// ---- event loop -----------------------------------------------------------

void Socket::OnPoll(uv_poll_t* handle, int status, int events) {
  Poller* poller = static_cast<Poller*>(handle->data);
  if (poller->owner != nullptr) poller->owner->HandlePoll(status, events);
}

void Socket::HandlePoll(int status, int events) {
  napi_env env = Env();
  if (JsGone()) {
    LoseJs();
    return;
  }
  FromLoop(env, data_, [this, env, status, events]() {
    LoopScope scope(env);
    if (!HoldSelf(env, scope)) return;
    if (status < 0) {
      // libuv reports EPOLLERR as UV_EBADF and stops the handle. On a
      // netlink socket EPOLLERR means sk_err is set (ENOBUFS from
      // netlink_overrun, or an error netlink_set_err broadcast); the next
      // recvmsg returns it and clears it, so read as usual.
      poller_->events = 0;
      // If nobody may read now, keep the poll off until reading resumes,
      // otherwise EPOLLERR would fire again at once.
      if (!ReadingWanted()) errorPending_ = true;
      if (!queue_.empty() && !retryArmed_) {
        FlushQueue(env);
        if (Stopped()) return;
      }
      if (ReadingWanted()) {
        ReadBatch(env);
        if (Stopped()) return;
      }
      UpdatePoll();
      return;
    }
    if ((events & UV_WRITABLE) != 0) {
      FlushQueue(env);
      if (Stopped()) return;
    }
    if ((events & UV_READABLE) != 0 && ReadingWanted()) ReadBatch(env);
  });
}

void Socket::OnRetry(uv_timer_t* timer) {
  Poller* poller = static_cast<Poller*>(timer->data);
  Socket* socket = poller->owner;
  if (socket == nullptr) return;
  socket->retryArmed_ = false;
  napi_env env = socket->Env();
  if (socket->JsGone()) {
    socket->LoseJs();
    return;
  }
  FromLoop(env, socket->data_, [socket, env]() {
    LoopScope scope(env);
    if (socket->HoldSelf(env, scope)) socket->FlushQueue(env);
  });
}

bool Socket::HoldSelf(napi_env env, const LoopScope& scope) {
  napi_value self = nullptr;
  if (!scope.ok() || napi_get_reference_value(env, SelfRef(), &self) != napi_ok) {
    AfterFailedCall(env, data_);
    if (JsGone()) LoseJs();
    return false;
  }
  return self != nullptr;
}

napi_value Socket::ErrorForJs(napi_env env, int err, const char* syscall) {
  if (JsGone()) return nullptr;
  napi_value error = SystemErrorValue(env, err, syscall);
  if (error == nullptr) {
    AfterFailedCall(env, data_);
    if (JsGone()) LoseJs();
  }
  return error;
}

void Socket::LoseJs() {
  data_->jsGone = true;
  if (closed_ || poller_ == nullptr || !poller_->initialized) return;
  // The poll would fire again and again with nobody to read: off until the
  // cleanup hook closes the socket. A running read-ahead ends on its own.
  uv_poll_stop(&poller_->handle);
  poller_->events = 0;
  uv_timer_stop(&poller_->retry);
  retryArmed_ = false;
}

void Socket::CallBatch(napi_env env, uint32_t frames, bool slabFull, napi_value error, bool switched) {
  if (onBatch_.IsEmpty() || asyncContext_ == nullptr || JsGone()) return;
  napi_value self = nullptr;
  napi_value callback = nullptr;
  napi_value args[4] = {};
  napi_status status = napi_get_reference_value(env, SelfRef(), &self);
  if (status == napi_ok) status = napi_get_reference_value(env, static_cast<napi_ref>(onBatch_), &callback);
  if (status == napi_ok) status = napi_create_uint32(env, frames, &args[0]);
  if (status == napi_ok) status = napi_get_boolean(env, slabFull, &args[1]);
  if (status == napi_ok) {
    if (error != nullptr) args[2] = error;
    else status = napi_get_null(env, &args[2]);
  }
  if (status == napi_ok) status = napi_get_boolean(env, switched, &args[3]);
  // Not onBatch_.MakeCallback(): when the environment is being torn down it
  // throws a Napi::Error, and building that error from the termination
  // exception aborts the process (napi_define_properties fails).
  if (status == napi_ok) status = napi_make_callback(env, static_cast<napi_async_context>(*asyncContext_), self, callback, 4, args, nullptr);
  if (status == napi_ok) return;
  // What the callback threw goes to process 'uncaughtException', as it
  // would for any other I/O callback; a refusal to run JS stops the socket.
  AfterFailedCall(env, data_);
  if (JsGone()) LoseJs();
}

void Socket::ReadBatch(napi_env env) {
  errorPending_ = false;
  if (FreeTail() < kMaxDatagram) {
    // No room to receive: ask JS for a fresh slab before reading anything.
    CallBatch(env, 0, true, nullptr);
    if (Stopped()) return;
    if (FreeTail() < kMaxDatagram) {
      waitingForSlab_ = true;
      UpdatePoll();
    }
    return;
  }

  uint32_t count = 0;
  uint32_t unicast = 0;
  napi_value error = nullptr;
  bool drained = false;
  // Multicast (events) is read until EAGAIN, as fast as possible: netlink
  // drops events silently while a socket stays congested. A unicast stream
  // (a dump) is handed to a read-ahead after a few datagrams.
  while (count < frameCapacity_ && unicast < kLoopBurst && FreeTail() >= kMaxDatagram) {
    size_t advance = 0;
    int err = 0;
    const Received r = ReceiveOne(fd_.get(), slab_, slabOffset_, FreeTail(), frames_ + count * kFrameWords, &scratch_, &advance, &err);
    if (r == Received::kDrained) {
      drained = true;
      break;
    }
    if (r == Received::kError) {
      error = ErrorForJs(env, err, "recvmsg");
      // The fd is not a socket any more (closed behind native's back):
      // polling it again could make libuv abort.
      if (err == EBADF || err == ENOTSOCK) broken_ = true;
      break;
    }
    const uint32_t* frame = frames_ + count * kFrameWords;
    if (frame[kFrameGroup] == 0 && (frame[kFrameFlags] & kFrameOverrun) == 0) ++unicast;
    slabOffset_ += advance;
    ++count;
  }

  // More is coming when the burst ended without EAGAIN.
  Deliver(env, count, !drained && error == nullptr, error);
}

void Socket::Deliver(napi_env env, uint32_t count, bool more, napi_value error) {
  // The frames are in the current slab; if it is full, reading goes on in
  // the spare, and JS learns after this batch that it is current.
  const bool switched = SwitchToSpare();
  // A worker reads what is coming while JS handles this batch.
  if (more && ReadingWanted() && FreeTail() >= kMaxDatagram) StartReadAhead();
  CallBatch(env, count, FreeTail() < kMaxDatagram, error, switched);
  if (Stopped()) return;
  if (more && ReadingWanted() && FreeTail() >= kMaxDatagram) {
    // JS gave a fresh slab (or resumed): go on reading ahead.
    StartReadAhead();
  } else if (started_ && !ReadAheadActive() && FreeTail() < kMaxDatagram) {
    waitingForSlab_ = true;
  }
  UpdatePoll();
}

// ---- read-ahead -------------------------------------------------------------

bool Socket::ReadAheadActive() const { return poller_ != nullptr && poller_->readAhead != nullptr; }

bool Socket::StartReadAhead() {
  if (closed_ || poller_ == nullptr || !poller_->initialized || poller_->readAhead != nullptr) return false;
  uv_loop_t* loop = poller_->handle.loop;
  auto ahead = std::make_unique<ReadAhead>();
  ahead->poller = poller_;
  ahead->fd = fd_.get();
  ahead->slab = slab_;
  ahead->end = slabOffset_;
  ahead->limit = slabLength_;
  ahead->maxFrames = static_cast<uint32_t>(std::min<size_t>(frameCapacity_, kReadAheadBurst));
  ahead->work.data = ahead.get();
  if (uv_queue_work(loop, &ahead->work, ReadAheadWork, ReadAheadDone) != 0) return false;
  poller_->readAhead = ahead.release();
  // The loop thread must not read while the worker does.
  UpdatePoll();
  return true;
}

void Socket::ReadAheadWork(uv_work_t* req) {
  ReadAhead* ahead = static_cast<ReadAhead*>(req->data);
  while (ahead->count < ahead->maxFrames && ahead->limit - ahead->end >= kMaxDatagram) {
    size_t advance = 0;
    const Received r = ReceiveOne(ahead->fd, ahead->slab, ahead->end, ahead->limit - ahead->end, ahead->frames + ahead->count * kFrameWords,
                                  &ahead->scratch, &advance, &ahead->err);
    if (r == Received::kDrained) {
      ahead->drained = true;
      break;
    }
    if (r == Received::kError) break;
    ahead->end += advance;
    ++ahead->count;
  }
  ahead->finished.store(true);
}

void Socket::ReadAheadDone(uv_work_t* req, int /*status*/) {
  // status is UV_ECANCELED when close() cancelled a read-ahead that had not started.
  std::unique_ptr<ReadAhead> ahead(static_cast<ReadAhead*>(req->data));
  Poller* poller = ahead->poller;
  poller->readAhead = nullptr;
  Socket* socket = poller->owner;
  if (socket == nullptr) {
    // The socket closed meanwhile (it waited for the worker to be done).
    if (--poller->closing == 0) FreePoller(poller);
    return;
  }
  napi_env env = socket->Env();
  if (socket->JsGone()) {
    // Its datagrams go with the socket, which the cleanup hook closes.
    socket->LoseJs();
    return;
  }
  FromLoop(env, socket->data_, [socket, env, &ahead]() {
    LoopScope scope(env);
    if (socket->HoldSelf(env, scope)) socket->FinishReadAhead(env, ahead.get());
  });
}

void Socket::FinishReadAhead(napi_env env, ReadAhead* ahead) {
  // The frame table and slab are the ones the read-ahead started with:
  // setSlab() refuses to change them while it runs.
  std::memcpy(frames_, ahead->frames, ahead->count * kFrameWords * sizeof(uint32_t));
  slabOffset_ = ahead->end;
  napi_value error = nullptr;
  if (ahead->err != 0) {
    error = ErrorForJs(env, ahead->err, "recvmsg");
    if (ahead->err == EBADF || ahead->err == ENOTSOCK) broken_ = true;
  }
  Deliver(env, ahead->count, !ahead->drained && error == nullptr, error);
}

void Socket::StopReadAhead() {
  if (poller_ == nullptr || poller_->readAhead == nullptr) return;
  ReadAhead* ahead = poller_->readAhead;
  // Not started yet: cancelled (its done callback still runs, with UV_ECANCELED).
  if (uv_cancel(reinterpret_cast<uv_req_t*>(&ahead->work)) == 0) return;
  // Running: it reads without blocking and stops within kReadAheadBurst datagrams.
  while (!ahead->finished.load()) sched_yield();
}

void Socket::Dequeued(uint32_t port) {
  auto it = queuedPerPort_.find(port);
  if (it != queuedPerPort_.end() && --it->second == 0) queuedPerPort_.erase(it);
}

void Socket::FlushQueue(napi_env env) {
  bool progressed = false;
  // One pass in order; a port whose receiver is still full is skipped for
  // the rest of the pass, so its later sends stay behind its first.
  std::vector<uint32_t> blocked;
  std::vector<int> failures;
  std::deque<PendingSend> rest;
  while (!queue_.empty()) {
    PendingSend item = std::move(queue_.front());
    queue_.pop_front();
    bool skip = false;
    for (uint32_t p : blocked) skip = skip || p == item.port;
    if (!skip) {
      int err = SendNow(item.bytes.data(), item.bytes.size(), item.port, item.groups);
      if (err == EAGAIN || err == EWOULDBLOCK) {
        blocked.push_back(item.port);
        skip = true;
      } else {
        Dequeued(item.port);
        progressed = true;
        if (err != 0) failures.push_back(err);
      }
    }
    if (skip) rest.push_back(std::move(item));
  }
  queue_ = std::move(rest);
  // JS hears of failed sends only once the queue is whole again (it may send from the callback).
  for (int err : failures) {
    CallBatch(env, 0, false, ErrorForJs(env, err, "sendto"));
    if (Stopped()) return;
  }
  if (queue_.empty()) {
    retryDelayMs_ = 0;
  } else if (!retryArmed_ && !JsGone()) {
    // The receiver is still full: poll no more for writable (it would fire
    // at once, forever) and try again later, backing off while stuck.
    retryDelayMs_ = (progressed || retryDelayMs_ == 0) ? kRetryFirstMs : std::min(retryDelayMs_ * 2, kRetryMaxMs);
    uv_timer_start(&poller_->retry, OnRetry, retryDelayMs_, 0);
    retryArmed_ = true;
  }
  UpdatePoll();
}

}  // namespace nlkit
