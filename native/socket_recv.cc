// Receiving: batches read on the loop thread, slabs, and the hand-over of a
// stream to the read-ahead thread (reader.h) and back.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "args.h"
#include "errors.h"
#include "loop.h"
#include "socket.h"

namespace nlkit {

using Stop = ReadAheadJob::Stop;

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
  // A read-ahead goes on in the spare when the slab fills: it gets this one
  // unless it already writes into the one before (not delivered yet).
  if (readAhead_ && !data_->reader.SetSpare(&poller_->job, slab.Data(), slab.ByteLength())) {
    throw Napi::Error::New(env, "setSpareSlab: a read-ahead is writing into the current spare slab");
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

uint32_t Socket::ReadBatch(napi_env env, uint32_t limit) {
  errorPending_ = false;
  if (FreeTail() < kMaxDatagram) {
    // No room to receive: ask JS for a fresh slab before reading anything.
    CallBatch(env, 0, true, nullptr);
    if (Stopped()) return 0;
    if (FreeTail() < kMaxDatagram) {
      waitingForSlab_ = true;
      UpdatePoll();
    }
    return 0;
  }

  uint32_t count = 0;
  uint32_t unicast = 0;
  napi_value error = nullptr;
  bool drained = false;
  // Multicast (events) is read until EAGAIN, as fast as possible: netlink
  // drops events silently while a socket stays congested. A unicast stream
  // (a dump) is handed to a read-ahead after a few datagrams.
  while (count < frameCapacity_ && count < limit && unicast < kLoopBurst && FreeTail() >= kMaxDatagram) {
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

  // A stream (a dump) is coming when the burst of unicast datagrams ended
  // without EAGAIN: the reader goes on with it. A burst of events that
  // filled the frame table or the slab goes on here, on the next readable.
  Deliver(env, count, !drained && error == nullptr && unicast >= kLoopBurst, error);
  return count;
}

// Reads now, on the calling thread, up to `limit` datagrams the kernel has
// already queued, and hands them to the batch callback before returning.
// Most kernel protocols answer a request inside the sendto() that carries it
// (netlink_unicast_kernel runs the family's handler in the sender's
// context), so the answer is waiting: reading it here saves the trip through
// the event loop, and the limit saves the read that would only say EAGAIN.
// Nothing is read while a read-ahead owns the socket, reading is paused, or
// the slab waits for JS (-1); the poll reads then, as always. Whatever is
// left stays readable, and the poll reads it.
Napi::Value Socket::ReceiveNow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckOpen(env);
  const uint32_t limit = static_cast<uint32_t>(IntegerArg(info, 0, "limit", 1, 1 << 20));
  return Napi::Number::New(env, ReadInline(env, limit));
}

double Socket::ReadInline(napi_env env, uint32_t limit) {
  if (!ReadingWanted() || poller_ == nullptr || inJsCall_) return -1;
  inJsCall_ = true;
  const uint32_t count = ReadBatch(env, limit);
  inJsCall_ = false;
  return count;
}

void Socket::Deliver(napi_env env, uint32_t count, bool more, napi_value error) {
  // The frames are in the current slab; if it is full, reading goes on in
  // the spare, and JS learns after this batch that it is current.
  const bool switched = SwitchToSpare();
  // The reader reads what is coming while JS handles this batch.
  if (more && ReadingWanted() && FreeTail() >= kMaxDatagram) StartReadAhead();
  const bool slabFull = FreeTail() < kMaxDatagram;
  if (count > 0 || slabFull || error != nullptr || switched) {
    CallBatch(env, count, slabFull, error, switched);
    if (Stopped()) return;
  }
  if (more && ReadingWanted() && FreeTail() >= kMaxDatagram) {
    // JS gave a fresh slab (or resumed): go on reading ahead.
    StartReadAhead();
  } else if (started_ && !ReadAheadActive() && FreeTail() < kMaxDatagram) {
    waitingForSlab_ = true;
  }
  UpdatePoll();
}

// ---- read-ahead -------------------------------------------------------------

bool Socket::StartReadAhead() {
  if (closed_ || poller_ == nullptr || !poller_->aheadReady || readAhead_ || JsGone()) return false;
  AheadStart start{};
  start.fd = fd_.get();
  start.slab = slab_;
  start.end = slabOffset_;
  start.limit = slabLength_;
  start.spare = spare_;
  start.spareLength = spareLength_;
  start.maxFrames = static_cast<uint32_t>(std::min<size_t>(frameCapacity_, kAheadFrames));
  start.notify = &poller_->ahead;
  if (!data_->reader.Start(&poller_->job, start)) return false;
  readAhead_ = true;
  UpdateAheadRef();
  // The loop thread must not read while the reader does.
  UpdatePoll();
  return true;
}

void Socket::OnAhead(uv_async_t* handle) {
  Poller* poller = static_cast<Poller*>(handle->data);
  Socket* socket = poller->owner;
  if (socket == nullptr) return;  // closed: the reader has left the job for good
  napi_env env = socket->Env();
  if (socket->JsGone()) {
    // What was read goes with the socket, which the cleanup hook closes.
    socket->LoseJs();
    return;
  }
  FromLoop(env, socket->data_, [socket, env]() {
    LoopScope scope(env);
    if (socket->HoldSelf(env, scope)) socket->TakeReadAhead(env);
  });
}

void Socket::TakeReadAhead(napi_env env) {
  // uv_async_send coalesces: one wake-up may find everything taken already.
  if (!readAhead_) return;
  uint32_t taken[kAheadFrames * kFrameWords];
  const AheadTake take = data_->reader.Take(&poller_->job, taken);
  uint32_t first = 0;
  if (take.switchAt != kNoSwitch) {
    // The frames before the switch are the old slab's last: JS learns with
    // them that the spare is current, and may hand the next spare. The
    // read-ahead stays active meanwhile, so the slab cannot be replaced
    // before the frames after the switch are delivered.
    std::memcpy(frames_, taken, take.switchAt * kFrameWords * sizeof(uint32_t));
    slab_ = spare_;
    slabLength_ = spareLength_;
    slabOffset_ = 0;
    slabRef_ = std::move(spareRef_);
    spareRef_ = Napi::Reference<Napi::Uint8Array>();
    spare_ = nullptr;
    spareLength_ = 0;
    CallBatch(env, take.switchAt, false, nullptr, true);
    if (Stopped()) return;
    first = take.switchAt;
  }
  const uint32_t count = take.count - first;
  std::memcpy(frames_, taken + first * kFrameWords, count * kFrameWords * sizeof(uint32_t));
  // The reader keeps room for a maximum datagram after its last frame, so
  // JS sees no full slab while it reads on.
  slabOffset_ = take.end;
  if (!take.idle) {
    if (count > 0) CallBatch(env, count, false, nullptr);
    return;
  }
  readAhead_ = false;
  UpdateAheadRef();
  napi_value error = nullptr;
  if (take.stop == Stop::kError) {
    error = ErrorForJs(env, take.err, "recvmsg");
    if (take.err == EBADF || take.err == ENOTSOCK) broken_ = true;
  }
  Deliver(env, count, take.stop != Stop::kDrained && take.stop != Stop::kError, error);
}

void Socket::PauseReadAhead() {
  if (readAhead_ && poller_ != nullptr) data_->reader.RequestStop(&poller_->job);
}

void Socket::StopReadAhead() {
  if (poller_ != nullptr && poller_->aheadReady && data_ != nullptr) data_->reader.Cancel(&poller_->job);
}

}  // namespace nlkit
