// Network namespace plumbing that never moves the calling thread: every
// setns/unshare happens on a short-lived helper thread that ends right after.
#ifndef NLKIT_NETNS_H_
#define NLKIT_NETNS_H_

#include <functional>
#include <string>

#include "fd.h"

namespace nlkit {

// Outcome of a sequence of syscalls: err is 0 on success, else the errno of
// the call named by syscall (path names the file involved, if any).
struct SysStatus {
  int err = 0;
  const char* syscall = nullptr;
  std::string path;

  bool ok() const { return err == 0; }
  static SysStatus Fail(int err, const char* syscall, std::string path = std::string()) {
    SysStatus status;
    status.err = err;
    status.syscall = syscall;
    status.path = std::move(path);
    return status;
  }
};

// The directory iproute2 keeps named namespaces in.
constexpr const char* kNetnsRunDir = "/run/netns";

// Opens a namespace file read-only (close-on-exec).
SysStatus OpenNetnsPath(const std::string& path, UniqueFd* out);
// Opens /proc/PID/ns/net.
SysStatus OpenNetnsPid(int pid, UniqueFd* out);
// Duplicates a namespace fd the caller owns (close-on-exec).
SysStatus DupNetnsFd(int fd, UniqueFd* out);

// Runs fn on a helper thread that first calls setns(nsfd, CLONE_NEWNET).
// The thread is joined before this returns; its namespace dies with it.
SysStatus RunInNetns(int nsfd, const std::function<SysStatus()>& fn);

// iproute2 rules: non-empty, no '/', not "." or "..", fits in NAME_MAX.
bool ValidNetnsName(const std::string& name);

// `ip netns add NAME`: a new namespace kept alive by a bind mount on
// /run/netns/NAME. The name must be valid.
SysStatus NetnsCreate(const std::string& name);

// `ip netns del NAME`: detach the bind mount and remove the file.
SysStatus NetnsDelete(const std::string& name);

// stat("/proc/thread-self/ns/net").st_ino for the calling thread.
SysStatus CurrentNetnsInode(double* inode);

}  // namespace nlkit

#endif  // NLKIT_NETNS_H_
