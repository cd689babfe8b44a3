# Captures how the kernel's ynl library decodes crafted messages of a small
# test spec, for test/unit/cli/shape.test.ts:
#   /usr/bin/python3 test/unit/cli/shape-vectors.py > test/unit/cli/shape-vectors.json
# Needs the reference tool (bash scripts/ynl-reference.sh). The messages are
# decoded the way YnlFamily._ops does (nlproto.decode, _decode, then the fixed
# header's fields), with process_unknown=True.
import json, os, struct, sys, tempfile
root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
sys.path.insert(0, os.path.join(root, '.cache/ynl-ref/tools/net/ynl/pyynl'))
from lib import YnlFamily
from lib.ynl import NlMsg

SPEC = '''# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
---
name: nlkit-shape
protocol: netlink-raw
protonum: 0
doc: Test family for the ynl value shapes.
definitions:
  -
    name: color
    type: enum
    entries: [red, green, blue]
  -
    name: opts
    type: flags
    entries: [a, b, c]
  -
    name: hdr
    type: struct
    members:
      -
        name: family
        type: u8
      -
        name: pad
        type: pad
        len: 3
      -
        name: index
        type: s32
      -
        name: table
        type: u8
      -
        name: hcolor
        type: u8
        enum: color
      -
        name: hflags
        type: u16
        enum: opts
  -
    name: pair
    type: struct
    members:
      -
        name: lo
        type: u16
      -
        name: hi
        type: u16
        display-hint: hex
attribute-sets:
  -
    name: main
    attributes:
      - {name: name, type: string}
      - {name: table, type: u32}
      - {name: color, type: u32, enum: color}
      - {name: opts, type: u32, enum: opts}
      - {name: id, type: uint, display-hint: hex}
      - {name: mark, type: u32, display-hint: hex}
      - {name: addr, type: binary, display-hint: ipv4}
      - {name: raw, type: binary}
      - {name: pair, type: binary, struct: pair}
      - {name: arr, type: binary, sub-type: u16}
      - {name: nested, type: nest, nested-attributes: inner}
      - {name: items, type: indexed-array, sub-type: nest, nested-attributes: inner}
      - {name: multi, type: u8, multi-attr: true}
      - {name: bf, type: bitfield32, enum: opts}
      - {name: kind, type: string}
      - {name: data, type: sub-message, sub-message: data-msg, selector: kind}
      - {name: pad, type: pad}
      - {name: big, type: u64}
      - {name: neg, type: sint}
      - {name: mac, type: binary, display-hint: mac}
      - {name: flag, type: flag}
      - {name: ip, type: u32, byte-order: big-endian, display-hint: ipv4}
  -
    name: inner
    attributes:
      - {name: x, type: u32}
      - {name: y, type: string}
sub-messages:
  -
    name: data-msg
    formats:
      - {value: p, fixed-header: pair, attribute-set: inner}
      - {value: q, attribute-set: inner}
operations:
  enum-model: directional
  fixed-header: hdr
  list:
    -
      name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          value: 18
          attributes: [name]
        reply:
          value: 16
          attributes: [name]
'''

def nla(t, payload):
    pad = b'\0' * ((4 - len(payload) % 4) % 4)
    return struct.pack('HH', len(payload) + 4, t) + payload + pad

NESTED = 0x8000
def u32(v): return struct.pack('I', v)

def message(attrs, header):
    body = header + b''.join(attrs)
    return struct.pack('IHHII', 16 + len(body), 16, 0, 1, 0) + body

hdr = struct.pack('B3xiBBH', 2, -7, 252, 1, 0b1010)
inner = lambda x, y: nla(1, u32(x)) + nla(2, y.encode() + b'\0')
cases = {
  'wire order, header fields after the attributes, shadowed header field': message([
      nla(3, u32(2)), nla(1, b'abc\0\0\0'), nla(2, u32(1000)), nla(4, u32(0b100101)),
      nla(5, struct.pack('Q', 0xff)), nla(6, u32(0xbeef)), nla(7, bytes([10, 0, 0, 1])), nla(8, b'\x01\x02'),
      nla(17, b'\0' * 4), nla(18, struct.pack('Q', 2**64 - 1)), nla(19, struct.pack('q', -5)),
      nla(20, bytes([0, 0x11, 0x22, 0x33, 0x44, 0x55])), nla(21, b''), nla(22, bytes([192, 168, 1, 2])),
      nla(3, u32(7)),
  ], hdr),
  'structs, arrays, nests, indexed arrays, multi-attr, bitfield32': message([
      nla(9, struct.pack('HH', 1, 0xabc)), nla(10, struct.pack('HHH', 1, 2, 65535)),
      nla(11 | NESTED, inner(5, 'in')), nla(12 | NESTED, nla(0 | NESTED, inner(1, 'a')) + nla(1 | NESTED, inner(2, 'b'))),
      nla(13, b'\x01'), nla(13, b'\x02'), nla(14, struct.pack('II', 0b11, 0b111)),
  ], hdr),
  'sub-messages with and without a fixed header': message([
      nla(15, b'p\0'), nla(16 | NESTED, struct.pack('HH', 3, 4) + inner(9, 'sub')),
  ], hdr),
  'unknown attributes, nested and repeated, and unknown enum values': message([
      nla(99, b'\xde\xad'), nla(100 | NESTED, nla(1, u32(1)) + nla(1, u32(2)) + nla(2 | NESTED, nla(3, b'z'))),
      nla(99, b'\xbe\xef'), nla(3, u32(9)), nla(4, u32(1 << 9)),
  ], struct.pack('B3xiBBH', 10, 1, 0, 5, 1 << 7)),
}

with tempfile.NamedTemporaryFile('w', suffix='.yaml', delete=False) as f:
    f.write(SPEC)
ynl = YnlFamily(f.name, schema='', process_unknown=True)
op = ynl.ops['get']
out = []
for name, raw in cases.items():
    msg = ynl.nlproto.decode(ynl, NlMsg(raw, 0), op)
    attrs = ynl._decode(msg.raw_attrs, op.attr_set.name)
    attrs.update(ynl._decode_struct(msg.raw, op.fixed_header))
    class Enc(json.JSONEncoder):
        def default(self, o):
            if isinstance(o, bytes): return bytes.hex(o)
            if isinstance(o, set): return sorted(o)
            return json.JSONEncoder.default(self, o)
    out.append({'name': name, 'message': raw.hex(), 'json': json.dumps(attrs, cls=Enc)})
os.unlink(f.name)
print(json.dumps({'captured': 'shape-vectors.py with /usr/bin/python3 and the kernel ynl library from scripts/ynl-reference.sh (linux-source-7.3)', 'spec': SPEC, 'cases': out}, indent=1))
