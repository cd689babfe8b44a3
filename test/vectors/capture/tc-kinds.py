#!/usr/bin/env python3
# Captures the requests tc 6.1 sends for qdisc, filter and action kinds this
# machine's kernel lacks (it refuses them, but tc has sent the request by
# then): runs tc under strace in a throwaway namespace and writes
# test/vectors/tc-kinds.json (command line, nlmsg type, payload after the
# nlmsghdr as hex). Run as root: python3 test/vectors/capture/tc-kinds.py
import json, os, re, subprocess, sys

NS = f'tc-capture-{os.getpid()}'
COMMANDS = [
    'qdisc add dev v0 root fq_codel limit 1000 flows 512 target 5ms interval 100ms quantum 1514 ecn',
    'qdisc add dev v0 root fq limit 2000 flow_limit 50 quantum 3028 initial_quantum 15140 maxrate 1gbit',
    'qdisc add dev v0 root netem delay 100ms 10ms loss 1%',
    'qdisc add dev v0 root sfq perturb 10 quantum 1514 limit 64',
    'qdisc add dev v0 root handle 1: prio bands 4 priomap 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 0',
    'filter add dev v0 ingress protocol ip prio 1 flower dst_ip 10.0.0.1 ip_proto tcp dst_port 80 action drop',
    'filter add dev v0 ingress prio 2 matchall action gact drop',
    'filter add dev v0 ingress prio 3 matchall action police rate 1mbit burst 10k conform-exceed drop',
    'filter add dev v0 ingress prio 4 matchall action skbedit mark 7 priority 1:2',
]

def payload(cmd):
    r = subprocess.run(['strace', '-f', '-e', 'trace=sendmsg', '-xx', '-s', '65535', 'tc', '-n', NS] + cmd.split(), capture_output=True, text=True)
    found = None
    for line in r.stderr.splitlines():
        m = re.search(r'nlmsg_type=(0x[0-9a-f]+)[^}]*nlmsg_flags=([^,]*), .*?\}, "((?:\\x[0-9a-f]{2})*)"', line)
        if m and int(m.group(1), 16) in (36, 44):
            found = {'command': cmd, 'type': int(m.group(1), 16), 'payload': m.group(3).replace('\\x', '')}
    if found is None:
        sys.exit(f'no request captured for: tc {cmd}\n{r.stderr[-2000:]}')
    return found

subprocess.run(['ip', 'netns', 'add', NS], check=True)
try:
    subprocess.run(['ip', '-n', NS, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], check=True)
    subprocess.run(['tc', '-n', NS, 'qdisc', 'add', 'dev', 'v0', 'clsact'], check=True)
    vectors = [payload(c) for c in COMMANDS]
finally:
    subprocess.run(['ip', 'netns', 'del', NS])
out = os.path.join(os.path.dirname(__file__), '..', 'tc-kinds.json')
with open(out, 'w') as f:
    json.dump(vectors, f, indent=1)
    f.write('\n')
print(f'{len(vectors)} vectors -> {out}')
