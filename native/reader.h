// The read-ahead thread of an environment. The kernel builds each part of a
// dump inside the recvmsg that reads the previous one (netlink_recvmsg calls
// netlink_dump), so a dump goes exactly as fast as someone calls recvmsg.
// After the first datagrams, a socket that keeps receiving hands its reading
// to this thread, which receives into the free tail of the slab (and then
// the spare slab) while JS handles what came before on the loop thread.
//
// It is a thread of the addon's own, not the libuv threadpool: fs, DNS, zlib
// and crypto work can keep that pool busy for seconds, and a dump waiting
// for a pool thread would stall (and events on its socket overflow) meanwhile.
// The thread never touches a JS value: it hands frames back through the
// socket's uv_async_t, and the loop thread delivers them. It starts the first
// time a socket reads ahead and is stopped and joined by an env cleanup hook,
// so a terminated Worker leaves no thread behind.
#ifndef NLKIT_READER_H_
#define NLKIT_READER_H_

#include <uv.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "recv.h"

namespace nlkit {

// How far the reader receives ahead of the loop before it waits for the
// loop to take what it has (a full slab or frame table stops it sooner):
// about 8 dump datagrams. While JS keeps up, the loop takes each datagram as
// it comes; while it does not, reading further ahead gains nothing and only
// delays a pause.
constexpr size_t kAheadBytes = 256 * 1024;
// Frames one take can hold (a read-ahead stops at the JS frame table's size
// if that is smaller).
constexpr uint32_t kAheadFrames = 512;
// Datagrams of one socket the reader receives in a row while other sockets
// wait for it.
constexpr uint32_t kAheadTurn = 8;
constexpr uint32_t kNoSwitch = UINT32_MAX;

// One socket's read-ahead: where the reader receives, and the frames it has
// received that the loop has not taken yet. It lives in the socket's Poller
// (which outlives the socket until libuv has closed its handles); the reader
// touches it only while it is queued or running, and Reader::Cancel waits
// until it is neither.
struct ReadAheadJob {
  enum class State : uint8_t { kIdle, kQueued, kRunning };
  // Why the reader last left the job.
  enum class Stop : uint8_t { kNone, kDrained, kError, kSlabFull, kAheadFull, kRequested };

  // Set by Reader::Start; fixed while the job is queued or running.
  int fd = -1;
  uint32_t maxFrames = 0;
  uv_async_t* notify = nullptr;

  // Guarded by the reader's mutex.
  State state = State::kIdle;
  bool stopRequested = false;
  Stop stop = Stop::kNone;
  int err = 0;
  // The next datagram goes to slab[end, limit); there is always room for a
  // maximum datagram there while the job runs: the reader moves to the
  // spare (or stops) as soon as there is not.
  uint8_t* slab = nullptr;
  size_t end = 0;
  size_t limit = 0;
  uint8_t* spare = nullptr;
  size_t spareLength = 0;
  uint32_t count = 0;             // frames received and not taken
  size_t bytes = 0;               // slab bytes they take
  uint32_t switchAt = kNoSwitch;  // frames before this one are in the slab before the spare
  uint32_t frames[kAheadFrames * kFrameWords] = {};

  // The reader thread's own recvmsg scratch.
  RecvScratch scratch;
};

// Where a read-ahead starts.
struct AheadStart {
  int fd;
  uint8_t* slab;
  size_t end;
  size_t limit;
  uint8_t* spare;
  size_t spareLength;
  uint32_t maxFrames;  // at most kAheadFrames
  uv_async_t* notify;
};

// What the loop took from a job.
struct AheadTake {
  uint32_t count = 0;             // frames copied out
  uint32_t switchAt = kNoSwitch;  // frames before it are in the slab before the spare, the rest in the spare
  size_t end = 0;                 // where the next datagram goes, in the slab of the last frames
  bool idle = false;              // the reader has left the job: nothing more comes until Start
  ReadAheadJob::Stop stop = ReadAheadJob::Stop::kNone;
  int err = 0;
};

class Reader {
 public:
  Reader() = default;
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Queues an idle job (starting the thread on first use). False when the
  // thread cannot be started or is shut down: the caller reads on the loop.
  bool Start(ReadAheadJob* job, const AheadStart& start);
  // Moves the job's received frames to `out` (room for kAheadFrames).
  AheadTake Take(ReadAheadJob* job, uint32_t* out);
  // Gives the job the slab to go on in when its slab fills. False while the
  // job writes into the spare it was given before (not taken by the loop yet).
  bool SetSpare(ReadAheadJob* job, uint8_t* spare, size_t length);
  // The reader leaves the job after the datagram in hand (pause, JS gone);
  // the job's uv_async_t tells the loop.
  void RequestStop(ReadAheadJob* job);
  // Returns once the reader has left the job for good: it will not touch
  // the job, its fd, its slabs or its uv_async_t again.
  void Cancel(ReadAheadJob* job);
  // Stops and joins the thread (env cleanup); Start fails from then on.
  void Shutdown();

 private:
  bool EnsureThread();
  void Run();
  void ReadTurn(ReadAheadJob* job, std::unique_lock<std::mutex>& lock);
  void Leave(ReadAheadJob* job, ReadAheadJob::Stop stop);

  std::mutex mutex_;
  std::condition_variable work_;  // the thread waits for jobs
  std::condition_variable left_;  // Cancel waits for the thread to leave a job
  std::deque<ReadAheadJob*> queue_;
  std::thread thread_;
  bool quit_ = false;
};

}  // namespace nlkit

#endif  // NLKIT_READER_H_
