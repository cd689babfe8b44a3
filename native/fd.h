// RAII owner of a file descriptor: the fd is closed on every path that does
// not hand it on with release().
#ifndef NLKIT_FD_H_
#define NLKIT_FD_H_

#include <unistd.h>

#include <cerrno>

namespace nlkit {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

  // close(2) errors are ignored on purpose: on Linux the fd is gone either
  // way, and retrying on EINTR could close an fd another thread just got.
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      int saved = errno;
      ::close(fd_);
      errno = saved;
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace nlkit

#endif  // NLKIT_FD_H_
