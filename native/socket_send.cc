// Sending: synchronous sendto from the JS view, and the queue of sends a
// full receiver (EAGAIN, on NETLINK_USERSOCK peers) holds back, retried in
// order per destination port.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "args.h"
#include "errors.h"
#include "loop.h"
#include "socket.h"

namespace nlkit {

namespace {

constexpr uint64_t kRetryFirstMs = 1;
constexpr uint64_t kRetryMaxMs = 50;

}  // namespace

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
  // Datagrams to read right after a send that went out (see ReceiveNow).
  const uint32_t receive = info.Length() > 3 && !info[3].IsUndefined() ? static_cast<uint32_t>(IntegerArg(info, 3, "receive", 0, 1 << 20)) : 0;
  const uint8_t* data = bytes.Data();
  const size_t length = bytes.ByteLength();

  if (!Queued(port)) {
    int err = SendNow(data, length, port, groups);
    if (err == 0) return Napi::Number::New(env, receive == 0 ? 0 : ReadInline(env, receive));
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
  return Napi::Number::New(env, -2);
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
