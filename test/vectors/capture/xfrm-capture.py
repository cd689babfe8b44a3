#!/usr/bin/env python3
"""Captures the xfrm byte vectors of test/vectors/xfrm.ts from ip xfrm itself.

  python3 test/vectors/capture/xfrm-capture.py        (as root; writes test/vectors/xfrm.ts)

Each `ip xfrm` command runs inside a fresh network namespace under
  strace -f -qq -e trace=sendmsg,recvmsg -e read=all -e write=all
and the datagrams strace dumps are kept: what ip sends (this kernel has no
ESP, AH or IPcomp, so `state add` fails, but ip has sent its NEWSA by then) and
what the kernel answers (larval SAs of allocspi, policies, counters). Each kept
message is then fed to `ip xfrm monitor file FILE`, which prints a message read
from a file as it prints one from the kernel; that text is stored beside the
bytes. The namespace is deleted on exit; nothing outside it is touched.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'xfrm.ts')
CALL = re.compile(r'^(?:\[pid\s+\d+\]\s+|\d+\s+)?(sendmsg|recvmsg)\(')
DUMP = re.compile(r'^ \| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2}){1,16})')
NS = 'nlkit-xfrm-vec-%d' % os.getpid()

KEY16 = '0x00112233445566778899aabbccddeeff'
KEY32 = '0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'
KEY20 = '0x0011223344556677889900112233445566778899'

# (name, description, ip arguments after `ip -n NS`, direction, index of the message among those of that direction:
# ip looks a device name up with an RTM_GETLINK first)
CAPTURES = [
    ('NEWSA_ESP_TUNNEL', 'ip xfrm state add: ESP tunnel, cbc(aes) and hmac(sha256) truncated to 128 bits, a TCP selector, a lifetime, mark and if_id',
     'xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 reqid 7 mode tunnel replay-window 32 flag noecn af-unspec '
     'enc cbc(aes) %s auth-trunc hmac(sha256) %s 128 sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 443 '
     'limit time-hard 3600 limit byte-soft 1000000 mark 5 mask 0xf if_id 9' % (KEY16, KEY32), 'send', 0),
    ('NEWSA_AH_IPV6', 'ip xfrm state add: IPv6 AH transport with hmac(sha1)',
     'xfrm state add src 2001:db8::1 dst 2001:db8::2 proto ah spi 0x2002 auth hmac(sha1) %s' % KEY20, 'send', 0),
    ('NEWSA_ESP_AEAD_ENCAP', 'ip xfrm state add: ESP with rfc4106(gcm(aes)) (ICV 128 bits) in UDP encapsulation (espinudp 4500 4500)',
     'xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x3003 encap espinudp 4500 4500 0.0.0.0 '
     'aead rfc4106(gcm(aes)) %s 128' % KEY20, 'send', 0),
    ('NEWSA_COMP', 'ip xfrm state add: IPcomp with deflate',
     'xfrm state add src 10.0.0.1 dst 10.0.0.2 proto comp spi 0x4004 comp deflate', 'send', 0),
    ('UPDSA_REPLAY', 'ip xfrm state update: ESP with enc and replay counters (XFRMA_REPLAY_VAL)',
     'xfrm state update src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x5005 enc cbc(aes) %s replay-seq 7 replay-oseq 9' % KEY16, 'send', 0),
    ('NEWSA_ESN', 'ip xfrm state add: ESP with extended sequence numbers (XFRMA_REPLAY_ESN_VAL, window 128)',
     'xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x6006 flag esn replay-window 128 enc cbc(aes) %s' % KEY16, 'send', 0),
    ('NEWSA_ROUTE2_COA', 'ip xfrm state add: IPv6 route2 in mode ro with a care-of address (XFRMA_COADDR)',
     'xfrm state add src 2001:db8::1 dst 2001:db8::2 proto route2 mode ro coa 2001:db8::3', 'send', 0),
    ('NEWSA_EXTRA_FLAGS', 'ip xfrm state add: ESP with output-mark, extra-flag dont-encap-dscp and tfcpad',
     'xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x7007 enc cbc(aes) %s output-mark 0x10 mask 0xff extra-flag dont-encap-dscp tfcpad 32' % KEY16, 'send', 0),
    ('NEWSA_OFFLOAD', 'ip xfrm state add: ESP offloaded to lo, inbound (XFRMA_OFFLOAD_DEV; lo is ifindex 1)',
     'xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x8008 enc cbc(aes) %s offload dev lo dir in' % KEY16, 'send', 1),
    ('NEWSA_CTX', 'ip xfrm state add: ESP with a security context (XFRMA_SEC_CTX: struct xfrm_user_sec_ctx, the text and its NUL)',
     'xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x9009 enc cbc(aes) %s ctx system_u:object_r:ipsec_spd_t:s0' % KEY16, 'send', 0),
    ('GETSA', 'ip xfrm state get: XFRM_MSG_GETSA with struct xfrm_usersa_id and XFRMA_SRCADDR',
     'xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001', 'send', 0),
    ('DELSA', 'ip xfrm state delete: XFRM_MSG_DELSA with a mark',
     'xfrm state delete src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 mark 3', 'send', 0),
    ('ALLOCSPI', 'ip xfrm state allocspi: XFRM_MSG_ALLOCSPI (struct xfrm_userspi_info)',
     'xfrm state allocspi src 10.0.0.1 dst 10.0.0.9 proto esp reqid 4 mode tunnel min 0x900 max 0x900', 'send', 0),
    ('ALLOCSPI_REPLY', 'the kernel\'s answer to that allocspi: the larval SA (XFRM_MSG_NEWSA)',
     'xfrm state allocspi src 10.0.0.1 dst 10.0.0.8 proto esp reqid 4 mode tunnel min 0x800 max 0x800', 'recv', 0),
    ('STATE_DUMP', 'ip xfrm state: one SA of the kernel\'s dump (NLM_F_MULTI)', 'xfrm state', 'recv', 0),
    ('FLUSHSA', 'ip xfrm state flush proto esp: XFRM_MSG_FLUSHSA (a 1-byte header)', 'xfrm state flush proto esp', 'send', 0),
    ('NEWPOLICY', 'ip xfrm policy add: two templates, a mark, if_id, ptype sub, priority, a lifetime and flags',
     'xfrm policy add src 10.0.0.0/24 dst 10.0.1.0/24 proto udp dport 53 dir out priority 7 ptype sub flag localok '
     'limit time-soft 60 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 5 tmpl proto comp level use mark 2 mask 0xff if_id 0x42',
     'send', 0),
    ('NEWPOLICY_CTX', 'ip xfrm policy add: a policy with a security context',
     'xfrm policy add src 10.0.5.0/24 dst 10.0.6.0/24 dir in ctx system_u:object_r:ipsec_spd_t:s0', 'send', 0),
    ('UPDPOLICY_BLOCK', 'ip xfrm policy update: an IPv6 block policy on ICMPv6 type 128',
     'xfrm policy update src 2001:db8::/64 dst ::/0 proto ipv6-icmp type 128 dir in action block', 'send', 0),
    ('POLICY_DUMP', 'ip xfrm policy: one policy of the kernel\'s dump', 'xfrm policy', 'recv', 0),
    ('DELPOLICY', 'ip xfrm policy delete: XFRM_MSG_DELPOLICY (struct xfrm_userpolicy_id)',
     'xfrm policy delete src 10.0.0.0/24 dst 10.0.1.0/24 proto udp dport 53 dir out ptype sub mark 2 mask 0xff if_id 0x42', 'send', 0),
    ('FLUSHPOLICY', 'ip xfrm policy flush ptype sub: XFRM_MSG_FLUSHPOLICY (no header)', 'xfrm policy flush ptype sub', 'send', 0),
    ('GETDEFAULT_REPLY', 'ip xfrm policy getdefault: the kernel\'s XFRM_MSG_GETDEFAULT answer', 'xfrm policy getdefault', 'recv', 0),
    ('SPDINFO_REPLY', 'ip xfrm policy count: the kernel\'s XFRM_MSG_NEWSPDINFO answer', 'xfrm policy count', 'recv', 0),
    ('SADINFO_REPLY', 'ip xfrm state count: the kernel\'s XFRM_MSG_NEWSADINFO answer', 'xfrm state count', 'recv', 0),
]

# Commands run before the captures, so that dumps have something to show.
SETUP = [
    'xfrm state allocspi src 10.0.0.1 dst 10.0.0.7 proto esp reqid 3 min 0x700 max 0x700',
    'xfrm policy add src 10.0.3.0/24 dst 10.0.4.0/24 dir fwd tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel',
]


def datagrams(log):
    out = []
    current = None
    for line in log.splitlines():
        m = CALL.match(line)
        if m:
            if current is not None and current[1]:
                out.append((current[0], bytes(current[1])))
            current = ('send' if m.group(1) == 'sendmsg' else 'recv', bytearray())
            continue
        d = DUMP.match(line)
        if d and current is not None:
            current[1].extend(bytes.fromhex(d.group(1).replace(' ', '')))
    if current is not None and current[1]:
        out.append((current[0], bytes(current[1])))
    return out


def messages(datagram):
    """The netlink messages of one datagram (NLMSG_DONE, NLMSG_ERROR left out)."""
    out = []
    p = 0
    while p + 16 <= len(datagram):
        n = int.from_bytes(datagram[p:p + 4], 'little')
        t = int.from_bytes(datagram[p + 4:p + 6], 'little')
        if n < 16 or p + n > len(datagram):
            break
        if t >= 0x10:
            out.append(datagram[p:p + n])
        p += (n + 3) & ~3
    return out


def run(args):
    cmd = ['strace', '-f', '-qq', '-e', 'trace=sendmsg,recvmsg', '-e', 'read=all', '-e', 'write=all', 'ip', '-n', NS] + args.split()
    r = subprocess.run(cmd, capture_output=True, text=True)
    return datagrams(r.stderr)


def monitor_text(msg):
    with tempfile.NamedTemporaryFile(suffix='.nl') as f:
        f.write(msg + b'\0' * (((len(msg) + 3) & ~3) - len(msg)))
        f.flush()
        r = subprocess.run(['ip', 'xfrm', 'monitor', 'file', f.name], capture_output=True, text=True)
        return r.stdout


def hexlines(b):
    rows = [' '.join('%02x' % x for x in b[i:i + 16]) for i in range(0, len(b), 16)]
    return ',\n'.join("  '%s'" % r for r in rows)


def main():
    subprocess.run(['ip', 'netns', 'add', NS], check=True)
    try:
        for c in SETUP:
            subprocess.run(['ip', '-n', NS] + c.split(), check=True, capture_output=True)
        entries = []
        for name, doc, args, direction, index in CAPTURES:
            msgs = [m for d, dg in run(args) if d == direction for m in messages(dg)]
            if len(msgs) <= index:
                sys.exit('%s: no %s message %d' % (name, direction, index))
            msg = msgs[index]
            entries.append((name, doc, args, msg, monitor_text(msg)))
    finally:
        subprocess.run(['ip', 'netns', 'del', NS])
    with open(OUT, 'w') as f:
        f.write('// xfrm messages captured from iproute2 6.1 (`ip xfrm`) and the kernel (6.18.44),\n')
        f.write('// with the text `ip xfrm monitor file FILE` prints for each: written by\n')
        f.write('// test/vectors/capture/xfrm-capture.py (strace of ip in a fresh namespace; see there).\n')
        f.write('// Requests are what ip sent (the kernel lacks ESP, AH and IPcomp, so it refused the\n')
        f.write('// state adds after they were sent); replies are what the kernel answered. Bytes verbatim.\n')
        f.write("import { fromHex } from './hex.js';\n\n")
        f.write('/** One captured message and what ip prints for it. */\n')
        f.write('export interface XfrmVector {\n  /** What it is and how it was made. */\n  doc: string;\n  /** The ip command (after `ip -n NS`) it came from. */\n  command: string;\n  /** The whole netlink message. */\n  bytes: Uint8Array;\n  /** `ip xfrm monitor file` output for it. */\n  ipText: string;\n}\n\n')
        f.write('/** The captured messages, by name. */\n')
        f.write('export const XFRM_VECTORS: Record<string, XfrmVector> = {\n')
        for name, doc, args, msg, text in entries:
            f.write('  %s: {\n    doc: %s,\n    command: %s,\n    bytes: fromHex(\n%s,\n    ),\n    ipText: %s,\n  },\n' % (
                name, repr(doc).replace("\\'", "'") if "'" not in doc else '"%s"' % doc.replace('"', '\\"'), to_js(args),
                '\n'.join('    ' + l for l in hexlines(msg).split('\n')), to_js(text)))
        f.write('};\n')


def to_js(s):
    return '`' + s.replace('\\', '\\\\').replace('`', '\\`').replace('${', '\\${') + '`'


if __name__ == '__main__':
    main()
