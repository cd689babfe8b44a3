#include "reader.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <system_error>

namespace nlkit {

using State = ReadAheadJob::State;
using Stop = ReadAheadJob::Stop;

Reader::~Reader() { Shutdown(); }

bool Reader::EnsureThread() {
  if (quit_) return false;
  if (thread_.joinable()) return true;
  // Signals stay with Node's threads: the reader starts with all blocked.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  try {
    thread_ = std::thread([this]() { Run(); });
  } catch (const std::system_error&) {
    // No thread (EAGAIN): the loop thread reads instead.
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (!thread_.joinable()) return false;
  pthread_setname_np(thread_.native_handle(), "nlkit-reader");
  return true;
}

bool Reader::Start(ReadAheadJob* job, const AheadStart& start) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (job->state != State::kIdle || job->count != 0 || !EnsureThread()) return false;
  job->fd = start.fd;
  job->maxFrames = std::min(start.maxFrames, kAheadFrames);
  job->notify = start.notify;
  job->stopRequested = false;
  job->stop = Stop::kNone;
  job->err = 0;
  job->slab = start.slab;
  job->end = start.end;
  job->limit = start.limit;
  job->spare = start.spare;
  job->spareLength = start.spareLength;
  job->bytes = 0;
  job->switchAt = kNoSwitch;
  job->state = State::kQueued;
  queue_.push_back(job);
  work_.notify_one();
  return true;
}

AheadTake Reader::Take(ReadAheadJob* job, uint32_t* out) {
  std::lock_guard<std::mutex> lock(mutex_);
  AheadTake take;
  take.count = job->count;
  take.switchAt = job->switchAt;
  take.end = job->end;
  take.idle = job->state == State::kIdle;
  take.stop = job->stop;
  take.err = job->err;
  std::memcpy(out, job->frames, job->count * kFrameWords * sizeof(uint32_t));
  job->count = 0;
  job->bytes = 0;
  job->switchAt = kNoSwitch;
  return take;
}

bool Reader::SetSpare(ReadAheadJob* job, uint8_t* spare, size_t length) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (job->switchAt != kNoSwitch) return false;
  job->spare = spare;
  job->spareLength = length;
  return true;
}

void Reader::RequestStop(ReadAheadJob* job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (job->state == State::kIdle) return;
  job->stopRequested = true;
  if (job->state == State::kQueued) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), job));
    Leave(job, Stop::kRequested);
  }
}

void Reader::Cancel(ReadAheadJob* job) {
  std::unique_lock<std::mutex> lock(mutex_);
  job->stopRequested = true;
  for (;;) {
    if (job->state == State::kQueued) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), job));
      job->state = State::kIdle;
      job->stop = Stop::kRequested;
    }
    if (job->state == State::kIdle) break;
    left_.wait(lock);
  }
  job->notify = nullptr;
}

void Reader::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    quit_ = true;
    work_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Reader::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_.wait(lock, [this]() { return quit_ || !queue_.empty(); });
    if (quit_) break;
    ReadAheadJob* job = queue_.front();
    queue_.pop_front();
    job->state = State::kRunning;
    ReadTurn(job, lock);
    if (job->state == State::kRunning) {
      // Its turn is over and other sockets wait: to the back of the queue.
      job->state = State::kQueued;
      queue_.push_back(job);
    }
    left_.notify_all();
  }
  // Jobs still queued are left idle; their sockets are closed by their own
  // cleanup hooks, or read on the loop if JS still runs.
  for (ReadAheadJob* job : queue_) Leave(job, Stop::kRequested);
  queue_.clear();
  left_.notify_all();
}

// Receives datagrams of `job` until it must stop, or, when other jobs wait,
// until its turn is over (then it is still kRunning). Called and returns
// with the lock held; the lock is dropped around each recvmsg only.
void Reader::ReadTurn(ReadAheadJob* job, std::unique_lock<std::mutex>& lock) {
  uint32_t frame[kFrameWords];
  for (uint32_t turn = 0;; ++turn) {
    if (quit_ || job->stopRequested) return Leave(job, Stop::kRequested);
    if (turn >= kAheadTurn && !queue_.empty()) return;
    const int fd = job->fd;
    uint8_t* const slab = job->slab;
    const size_t end = job->end;
    const size_t space = job->limit - end;
    lock.unlock();
    size_t advance = 0;
    int err = 0;
    // Only this thread moves job->end and job->slab, so they still hold
    // when the lock is taken again.
    const Received r = ReceiveOne(fd, slab, end, space, frame, &job->scratch, &advance, &err);
    lock.lock();
    if (r == Received::kDrained) return Leave(job, Stop::kDrained);
    if (r == Received::kError) {
      job->err = err;
      return Leave(job, Stop::kError);
    }
    std::memcpy(job->frames + job->count * kFrameWords, frame, sizeof frame);
    ++job->count;
    job->bytes += advance;
    job->end += advance;
    if (job->limit - job->end < kMaxDatagram) {
      // No room for another datagram: go on in the spare, once per Take
      // (the loop hands the next spare only after it has seen this switch).
      if (job->switchAt != kNoSwitch || job->spare == nullptr) return Leave(job, Stop::kSlabFull);
      job->switchAt = job->count;
      job->slab = job->spare;
      job->end = 0;
      job->limit = job->spareLength;
      job->spare = nullptr;
      job->spareLength = 0;
    }
    if (job->count == job->maxFrames || job->bytes >= kAheadBytes) return Leave(job, Stop::kAheadFull);
    // The loop takes each datagram as it comes (a wake-up it is already
    // due is not sent again: uv_async_send coalesces).
    uv_async_send(job->notify);
  }
}

// Under the lock.
void Reader::Leave(ReadAheadJob* job, Stop stop) {
  job->state = State::kIdle;
  job->stop = stop;
  if (job->notify != nullptr) uv_async_send(job->notify);
}

}  // namespace nlkit
