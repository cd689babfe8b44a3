// Reference for the dump + walk benchmark: what a C program does with libmnl
// to read an rtnetlink route dump and look at every attribute, the way
// libmnl's own examples (examples/rtnl/rtnl-route-dump.c) do it. It sends
// RTM_GETROUTE (AF_INET, NLM_F_DUMP) from inside a named namespace,
// mnl_socket_recvfrom()s each datagram into a 64 KiB buffer (as recv_dump.c;
// with libmnl's 8 KiB MNL_SOCKET_BUFFER_SIZE the kernel would make four times
// as many datagrams), runs mnl_cb_run() over it, and in the callback walks
// the message's attributes with mnl_attr_parse(), adding up type and payload
// length of each, as bench/run.mjs's JS walk does.
//
// Needs libmnl-dev (apt-get install libmnl-dev); bench/run.mjs skips it when
// it does not build.
//
// usage: mnl_walk NETNS_NAME REPEATS
// prints: {"medianMs":..,"minMs":..,"messages":..,"attributes":..,"sum":..}
#define _GNU_SOURCE
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

struct walk {
  long messages;
  long attributes;
  unsigned long sum;
};

static int attr_cb(const struct nlattr *attr, void *data) {
  struct walk *w = data;
  w->attributes++;
  w->sum += mnl_attr_get_type(attr) + mnl_attr_get_payload_len(attr);
  return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
  struct walk *w = data;
  w->messages++;
  mnl_attr_parse(nlh, sizeof(struct rtmsg), attr_cb, data);
  return MNL_CB_OK;
}

static char buf[65536];

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

  struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
  if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    perror("mnl_socket");
    return 1;
  }
  int one = 1;
  mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof one);
  mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  unsigned int portid = mnl_socket_get_portid(nl);
  struct walk w = {0};

  for (int r = 0; r < repeats; r++) {
    char req[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
    nlh->nlmsg_type = RTM_GETROUTE;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    unsigned int seq = nlh->nlmsg_seq = r + 1;
    struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
    rtm->rtm_family = AF_INET;
    w = (struct walk){0};
    double t0 = now_ms();
    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
      perror("mnl_socket_sendto");
      return 1;
    }
    int ret;
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
      if (n < 0) {
        perror("mnl_socket_recvfrom");
        return 1;
      }
      ret = mnl_cb_run(buf, n, seq, portid, route_cb, &w);
      if (ret <= MNL_CB_STOP) break;
    }
    if (ret < 0) {
      perror("mnl_cb_run");
      return 1;
    }
    times[r] = now_ms() - t0;
  }
  mnl_socket_close(nl);
  qsort(times, repeats, sizeof(double), cmp);
  printf("{\"medianMs\":%.4f,\"minMs\":%.4f,\"messages\":%ld,\"attributes\":%ld,\"sum\":%lu}\n", times[repeats / 2], times[0], w.messages, w.attributes,
         w.sum);
  return 0;
}
