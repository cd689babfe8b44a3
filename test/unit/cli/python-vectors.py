# Captures Python's printing of ynl-shaped values for test/unit/cli/pyvalue.test.ts:
#   /usr/bin/python3 test/unit/cli/python-vectors.py > test/unit/cli/python-vectors.json
import json, pprint, textwrap
class YnlEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, bytes): return bytes.hex(o)
        if isinstance(o, set): return sorted(o)
        return json.JSONEncoder.default(self, o)
link = {'ifname': 'v0', 'mtu': 1500, 'address': '02:13:e8:36:55:b3', 'stats64': {'rx-packets': 0, 'tx-bytes': 18446744073709551615, 'rx-errors': -3},
        'af-spec': {'inet': {'conf': [0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10000, 1000, 0, 0, 0, 0, 1]},
                    'inet6': {'token': b'\x00' * 16, 'conf': [0, 64, 1500, 1, 4294967295, 4000, 1000, 0, 604800, 86400, 3, 600, 16, 0, 1, 1, 1, 60000] * 2}},
        'devlink-port': b'', 'dpll-pin': {}, 'carrier': True, 'master': None,
        'ifi-flags': {'up', 'broadcast', 'multicast', 'lower-up', 'running', 'loopback', 'noarp', 'promisc', 'allmulti', 'dormant'}}
cases = [
  ('link', link, 80),
  ('link-narrow', link, 40),
  ('dump', [{'family-name': 'nlctrl', 'family-id': 16, 'ops': [{1: {'id': 3, 'flags': {'cmd-cap-do', 'cmd-cap-dump', 'cmd-cap-haspol', 'admin-perm'}}}, {2: {'id': 10, 'flags': {'cmd-cap-dump'}}}], 'mcast-groups': [{1: {'name': 'notify', 'id': 16}}]}], 80),
  ('strings', {'doc': 'It\'s a "quoted" text\nwith lines, a tab\there, NUL \x00, é, \u2028 and a rather long tail that has to be split over several lines of output', 'q': "it's", 'dq': 'say "hi"', 'both': 'it\'s "x"', 'empty': '', 'uni': 'naïve 日本 \U0001F600'}, 60),
  ('bytes', {'a': b"it's", 'b': b'\x00\x01\x7f\x80\xff"\'\\\t\n\r abc', 'long': bytes(range(64)), 'short': b'ab'}, 50),
  ('top-string', 'word ' * 30, 40),
  ('top-bytes', bytes(range(40)), 40),
  ('none', None, 80),
  ('empty-list', [], 80),
  ('ints', list(range(0, 3000, 37)), 80),
]
def tag(v):
    if isinstance(v, bool) or v is None: return v
    if isinstance(v, int): return v if abs(v) < 2**53 else {'$int': str(v)}
    if isinstance(v, str): return v
    if isinstance(v, bytes): return {'$bytes': v.hex()}
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, set): return {'$set': sorted(tag(x) for x in v)}
    if isinstance(v, dict): return {'$dict': [[k, tag(x)] for k, x in v.items()]}
out = []
for name, v, w in cases:
    out.append({'name': name, 'width': w, 'value': tag(v), 'pformat': pprint.pformat(v, width=w, compact=True), 'json': json.dumps(v, cls=YnlEncoder)})
texts = [
    ('doc', 'Netlink attribute of the rt-link family: the interface index of the lower device, as used by vlan-over-bridge set-ups and  so-called "stacked" devices.', 40, '      '),
    ('long-word', 'A verylongidentifierthatcannotfitononeline-with-hyphens-inside and more words', 20, '    '),
    ('hyphens', 'ipv4-or-v6 addresses -- and em-dashes -- in text; well-known e-mail re-use', 18, '  '),
    ('newlines', 'first line\nsecond\tline with\ttabs\n\nend', 30, '      '),
]
wraps = [{'name': n, 'width': w, 'indent': i, 'text': t, 'fill': textwrap.fill(t, width=w, initial_indent=i, subsequent_indent=i)} for n, t, w, i in texts]
print(json.dumps({'captured': 'python-vectors.py with /usr/bin/python3 (CPython 3.11.2): pprint.pformat(value, width, compact=True), json.dumps(value, cls=YnlEncoder) as in tools/net/ynl/pyynl/cli.py, textwrap.fill', 'pprint': out, 'textwrap': wraps}, indent=1, ensure_ascii=False))
