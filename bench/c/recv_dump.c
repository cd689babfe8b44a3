// Baseline for the dump benchmark: the least a program can do to read an
// rtnetlink route dump. It sends RTM_GETROUTE (AF_INET, NLM_F_DUMP) from inside
// a named namespace and recv()s every datagram into a 64 KiB buffer, looking
// only at each datagram's last header to find NLMSG_DONE. No attribute is read.
//
// usage: recv_dump NETNS_NAME REPEATS
// prints: {"medianMs":..,"minMs":..,"messages":..,"bytes":..}
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static unsigned char buf[65536];

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s NETNS REPEATS\n", argv[0]);
    return 2;
  }
  char path[512];
  snprintf(path, sizeof path, "/run/netns/%s", argv[1]);
  int nsfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
    perror("setns");
    return 1;
  }
  close(nsfd);
  int repeats = atoi(argv[2]);
  if (repeats < 1 || repeats > 1000) repeats = 10;
  double *times = calloc(repeats, sizeof(double));
  long messages = 0, bytes = 0;

  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  int one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    perror("bind");
    return 1;
  }

  for (int r = 0; r < repeats; r++) {
    struct {
      struct nlmsghdr h;
      struct rtmsg m;
    } req = {0};
    req.h.nlmsg_len = sizeof req;
    req.h.nlmsg_type = RTM_GETROUTE;
    req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.h.nlmsg_seq = r + 1;
    req.m.rtm_family = AF_INET;
    double t0 = now_ms();
    if (send(fd, &req, sizeof req, 0) < 0) {
      perror("send");
      return 1;
    }
    long msgs = 0, got = 0;
    for (;;) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        perror("recv");
        return 1;
      }
      got += n;
      // Count messages only by walking headers; stop at NLMSG_DONE.
      int done = 0;
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
          done = 1;
          break;
        }
        msgs++;
      }
      if (done) break;
    }
    times[r] = now_ms() - t0;
    messages = msgs;
    bytes = got;
  }
  qsort(times, repeats, sizeof(double), cmp);
  printf("{\"medianMs\":%.4f,\"minMs\":%.4f,\"messages\":%ld,\"bytes\":%ld}\n", times[repeats / 2], times[0], messages, bytes);
  return 0;
}
