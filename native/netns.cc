#include "netns.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

namespace nlkit {

namespace {

// std::thread reports a failed pthread_create as std::system_error; that
// must become a status, never an exception unwinding into JS or libuv.
SysStatus RunOnHelperThread(const std::function<SysStatus()>& body) {
  SysStatus result;
  try {
    std::thread helper([&result, &body]() noexcept {
      try {
        result = body();
      } catch (...) {
        result = SysStatus::Fail(ENOMEM, "thread");
      }
    });
    helper.join();
  } catch (const std::system_error& e) {
    int err = e.code().value();
    return SysStatus::Fail(err > 0 ? err : EAGAIN, "pthread_create");
  }
  return result;
}

SysStatus MakeDirectory(const char* path) {
  if (mkdir(path, 0755) == 0 || errno == EEXIST) return SysStatus();
  return SysStatus::Fail(errno, "mkdir", path);
}

// Makes /run/netns a shared mount point so that unmounting a namespace file
// in one mount namespace unmounts it in all of them (ip-netns.c, netns_add).
SysStatus MakeRunDirShared() {
  bool madeMountPoint = false;
  while (mount("", kNetnsRunDir, "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || madeMountPoint) return SysStatus::Fail(errno, "mount", kNetnsRunDir);
    // EINVAL: not a mount point yet. Bind it onto itself, then retry.
    if (mount(kNetnsRunDir, kNetnsRunDir, "none", MS_BIND | MS_REC, nullptr) != 0) {
      return SysStatus::Fail(errno, "mount", kNetnsRunDir);
    }
    madeMountPoint = true;
  }
  return SysStatus();
}

}  // namespace

SysStatus OpenNetnsPath(const std::string& path, UniqueFd* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SysStatus::Fail(errno, "open", path);
  out->reset(fd);
  return SysStatus();
}

SysStatus OpenNetnsPid(int pid, UniqueFd* out) {
  return OpenNetnsPath("/proc/" + std::to_string(pid) + "/ns/net", out);
}

SysStatus DupNetnsFd(int fd, UniqueFd* out) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return SysStatus::Fail(errno, "dup");
  out->reset(copy);
  return SysStatus();
}

SysStatus RunInNetns(int nsfd, const std::function<SysStatus()>& fn) {
  return RunOnHelperThread([nsfd, &fn]() {
    if (setns(nsfd, CLONE_NEWNET) != 0) return SysStatus::Fail(errno, "setns");
    return fn();
  });
}

bool ValidNetnsName(const std::string& name) {
  if (name.empty() || name.size() > NAME_MAX) return false;
  if (name == "." || name == "..") return false;
  return name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

SysStatus NetnsCreate(const std::string& name) {
  SysStatus status = MakeDirectory("/run");
  if (!status.ok()) return status;
  status = MakeDirectory(kNetnsRunDir);
  if (!status.ok()) return status;
  status = MakeRunDirShared();
  if (!status.ok()) return status;

  const std::string path = std::string(kNetnsRunDir) + "/" + name;
  {
    UniqueFd file(open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!file.valid()) return SysStatus::Fail(errno, "open", path);
  }

  status = RunOnHelperThread([&path]() {
    if (unshare(CLONE_NEWNET) != 0) return SysStatus::Fail(errno, "unshare");
    // The helper's own namespace file; /proc/thread-self needs Linux 3.17,
    // the task path works everywhere.
    const std::string self = "/proc/self/task/" + std::to_string(static_cast<long>(syscall(SYS_gettid))) + "/ns/net";
    if (mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
      return SysStatus::Fail(errno, "mount", path);
    }
    return SysStatus();
  });
  if (!status.ok()) unlink(path.c_str());
  return status;
}

SysStatus NetnsDelete(const std::string& name) {
  const std::string path = std::string(kNetnsRunDir) + "/" + name;
  // Like iproute2, ignore umount errors: the file may not be a mount point.
  umount2(path.c_str(), MNT_DETACH);
  if (unlink(path.c_str()) != 0) return SysStatus::Fail(errno, "unlink", path);
  return SysStatus();
}

SysStatus CurrentNetnsInode(double* inode) {
  struct stat st;
  if (stat("/proc/thread-self/ns/net", &st) != 0) {
    // Kernels before 3.17 lack /proc/thread-self.
    const std::string task = "/proc/self/task/" + std::to_string(static_cast<long>(syscall(SYS_gettid))) + "/ns/net";
    if (stat(task.c_str(), &st) != 0) return SysStatus::Fail(errno, "stat", "/proc/thread-self/ns/net");
  }
  *inode = static_cast<double>(st.st_ino);
  return SysStatus();
}

}  // namespace nlkit
