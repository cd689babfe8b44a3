// xfrm messages captured from iproute2 6.1 (`ip xfrm`) and the kernel (6.18.44),
// with the text `ip xfrm monitor file FILE` prints for each: written by
// test/vectors/capture/xfrm-capture.py (strace of ip in a fresh namespace; see there).
// Requests are what ip sent (the kernel lacks ESP, AH and IPcomp, so it refused the
// state adds after they were sent); replies are what the kernel answered. Bytes verbatim.
import { fromHex } from './hex.js';

/** One captured message and what ip prints for it. */
export interface XfrmVector {
  /** What it is and how it was made. */
  doc: string;
  /** The ip command (after `ip -n NS`) it came from. */
  command: string;
  /** The whole netlink message. */
  bytes: Uint8Array;
  /** `ip xfrm monitor file` output for it. */
  ipText: string;
}

/** The captured messages, by name. */
export const XFRM_VECTORS: Record<string, XfrmVector> = {
  NEWSA_ESP_TUNNEL: {
    doc: 'ip xfrm state add: ESP tunnel, cbc(aes) and hmac(sha256) truncated to 128 bits, a TCP selector, a lifetime, mark and if_id',
    command: `xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 reqid 7 mode tunnel replay-window 32 flag noecn af-unspec enc cbc(aes) 0x00112233445566778899aabbccddeeff auth-trunc hmac(sha256) 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128 sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 443 limit time-hard 3600 limit byte-soft 1000000 mark 5 mask 0xf if_id 9`,
    bytes: fromHex(
      'c8 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '0a 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '0a 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '01 bb ff ff 00 00 00 00 02 00 10 10 06 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 10 01 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      '40 42 0f 00 00 00 00 00 ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 10 0e 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '07 00 00 00 02 00 01 20 21 00 00 00 00 00 00 00',
      '58 00 02 00 63 62 63 28 61 65 73 29 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 aa bb cc dd ee ff 6c 00 14 00 68 6d 61 63',
      '28 73 68 61 32 35 36 29 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00',
      '80 00 00 00 00 01 02 03 04 05 06 07 08 09 0a 0b',
      '0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b',
      '1c 1d 1e 1f 0c 00 15 00 05 00 00 00 0f 00 00 00',
      '08 00 1f 00 09 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.2
	proto esp spi 0x00001001 reqid 7 mode tunnel
	replay-window 32 flag noecn af-unspec
	mark 0x5/0xf 
	auth-trunc hmac(sha256) 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 128
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
	if_id 0x9
	sel src 10.1.0.0/16 dst 10.2.0.0/16 proto tcp dport 443 
`,
  },
  NEWSA_AH_IPV6: {
    doc: 'ip xfrm state add: IPv6 AH transport with hmac(sha1)',
    command: `xfrm state add src 2001:db8::1 dst 2001:db8::2 proto ah spi 0x2002 auth hmac(sha1) 0x0011223344556677889900112233445566778899`,
    bytes: fromHex(
      '4c 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 20 01 0d b8 00 00 00 00',
      '00 00 00 00 00 00 00 02 00 00 20 02 33 00 00 00',
      '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 0a 00 00 00 00 00 00 00 00 00 00 00',
      '5c 00 01 00 68 6d 61 63 28 73 68 61 31 29 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 a0 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 00 11 22 33 44 55 66 77 88 99',
    ),
    ipText: `src 2001:db8::1 dst 2001:db8::2
	proto ah spi 0x00002002 reqid 0 mode transport
	replay-window 0 
	auth hmac(sha1) 0x0011223344556677889900112233445566778899
`,
  },
  NEWSA_ESP_AEAD_ENCAP: {
    doc: 'ip xfrm state add: ESP with rfc4106(gcm(aes)) (ICV 128 bits) in UDP encapsulation (espinudp 4500 4500)',
    command: `xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x3003 encap espinudp 4500 4500 0.0.0.0 aead rfc4106(gcm(aes)) 0x0011223344556677889900112233445566778899 128`,
    bytes: fromHex(
      '6c 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 c0 00 02 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 30 03 32 00 00 00',
      'c0 00 02 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00',
      '1c 00 04 00 02 00 11 94 11 94 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 60 00 12 00',
      '72 66 63 34 31 30 36 28 67 63 6d 28 61 65 73 29',
      '29 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      'a0 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 00 11 22 33 44 55 66 77 88 99',
    ),
    ipText: `src 192.0.2.1 dst 192.0.2.2
	proto esp spi 0x00003003 reqid 0 mode transport
	replay-window 0 
	aead rfc4106(gcm(aes)) 0x0011223344556677889900112233445566778899 128
	encap type espinudp sport 4500 dport 4500 addr 0.0.0.0
`,
  },
  NEWSA_COMP: {
    doc: 'ip xfrm state add: IPcomp with deflate',
    command: `xfrm state add src 10.0.0.1 dst 10.0.0.2 proto comp spi 0x4004 comp deflate`,
    bytes: fromHex(
      '38 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 40 04 6c 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00',
      '48 00 03 00 64 65 66 6c 61 74 65 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.2
	proto comp spi 0x00004004 reqid 0 mode transport
	replay-window 0 
	comp deflate 
`,
  },
  UPDSA_REPLAY: {
    doc: 'ip xfrm state update: ESP with enc and replay counters (XFRMA_REPLAY_VAL)',
    command: `xfrm state update src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x5005 enc cbc(aes) 0x00112233445566778899aabbccddeeff replay-seq 7 replay-oseq 9`,
    bytes: fromHex(
      '58 01 00 00 1a 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 50 05 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00',
      '58 00 02 00 63 62 63 28 61 65 73 29 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 aa bb cc dd ee ff 10 00 0a 00 09 00 00 00',
      '07 00 00 00 00 00 00 00',
    ),
    ipText: `Updated src 10.0.0.1 dst 10.0.0.2
	proto esp spi 0x00005005 reqid 0 mode transport
	replay-window 0 
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
	anti-replay context: seq 0x7, oseq 0x9, bitmap 0x00000000
`,
  },
  NEWSA_ESN: {
    doc: 'ip xfrm state add: ESP with extended sequence numbers (XFRMA_REPLAY_ESN_VAL, window 128)',
    command: `xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x6006 flag esn replay-window 128 enc cbc(aes) 0x00112233445566778899aabbccddeeff`,
    bytes: fromHex(
      '64 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 60 06 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 80 00 00 00 00 00 00 00',
      '58 00 02 00 63 62 63 28 61 65 73 29 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 aa bb cc dd ee ff 1c 00 17 00 04 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '80 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.2
	proto esp spi 0x00006006 reqid 0 mode transport
	replay-window 0 flag esn
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
	anti-replay esn context:
	 seq-hi 0x0, seq 0x0, oseq-hi 0x0, oseq 0x0
	 replay_window 128, bitmap-length 4
	 00000000 00000000 00000000 00000000 
`,
  },
  NEWSA_ROUTE2_COA: {
    doc: 'ip xfrm state add: IPv6 route2 in mode ro with a care-of address (XFRMA_COADDR)',
    command: `xfrm state add src 2001:db8::1 dst 2001:db8::2 proto route2 mode ro coa 2001:db8::3`,
    bytes: fromHex(
      '04 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 20 01 0d b8 00 00 00 00',
      '00 00 00 00 00 00 00 02 00 00 00 00 2b 00 00 00',
      '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 0a 00 02 00 00 00 00 00 00 00 00 00',
      '14 00 0e 00 20 01 0d b8 00 00 00 00 00 00 00 00',
      '00 00 00 03',
    ),
    ipText: `src 2001:db8::1 dst 2001:db8::2
	proto route2 reqid 0 mode ro
	replay-window 0 
	coa 2001:db8::3
`,
  },
  NEWSA_EXTRA_FLAGS: {
    doc: 'ip xfrm state add: ESP with output-mark, extra-flag dont-encap-dscp and tfcpad',
    command: `xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x7007 enc cbc(aes) 0x00112233445566778899aabbccddeeff output-mark 0x10 mask 0xff extra-flag dont-encap-dscp tfcpad 32`,
    bytes: fromHex(
      '68 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 70 07 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00',
      '58 00 02 00 63 62 63 28 61 65 73 29 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 aa bb cc dd ee ff 08 00 18 00 01 00 00 00',
      '08 00 16 00 20 00 00 00 08 00 1d 00 10 00 00 00',
      '08 00 1e 00 ff 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.2
	proto esp spi 0x00007007 reqid 0 mode transport
	replay-window 0 
	output-mark 0x10/0xff
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
	tfcpad 32
`,
  },
  NEWSA_OFFLOAD: {
    doc: 'ip xfrm state add: ESP offloaded to lo, inbound (XFRMA_OFFLOAD_DEV; lo is ifindex 1)',
    command: `xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x8008 enc cbc(aes) 0x00112233445566778899aabbccddeeff offload dev lo dir in`,
    bytes: fromHex(
      '54 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 80 08 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00',
      '58 00 02 00 63 62 63 28 61 65 73 29 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 aa bb cc dd ee ff 0c 00 1c 00 01 00 00 00',
      '02 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.2
	proto esp spi 0x00008008 reqid 0 mode transport
	replay-window 0 
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
	crypto offload parameters: dev lo dir in
`,
  },
  NEWSA_CTX: {
    doc: 'ip xfrm state add: ESP with a security context (XFRMA_SEC_CTX: struct xfrm_user_sec_ctx, the text and its NUL)',
    command: `xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x9009 enc cbc(aes) 0x00112233445566778899aabbccddeeff ctx system_u:object_r:ipsec_spd_t:s0`,
    bytes: fromHex(
      '78 01 00 00 10 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 90 09 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00',
      '58 00 02 00 63 62 63 28 61 65 73 29 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 80 00 00 00 00 11 22 33 44 55 66 77',
      '88 99 aa bb cc dd ee ff 2d 00 08 00 29 00 08 00',
      '01 01 21 00 73 79 73 74 65 6d 5f 75 3a 6f 62 6a',
      '65 63 74 5f 72 3a 69 70 73 65 63 5f 73 70 64 5f',
      '74 3a 73 30 00 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.2
	proto esp spi 0x00009009 reqid 0 mode transport
	replay-window 0 
	enc cbc(aes) 0x00112233445566778899aabbccddeeff
	security context system_u:object_r:ipsec_spd_t:s0 
`,
  },
  GETSA: {
    doc: 'ip xfrm state get: XFRM_MSG_GETSA with struct xfrm_usersa_id and XFRMA_SRCADDR',
    command: `xfrm state get src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001`,
    bytes: fromHex(
      '3c 00 00 00 12 00 01 00 52 9d 12 6b 00 00 00 00',
      '0a 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 10 01 02 00 32 00 14 00 0d 00 0a 00 00 01',
      '00 00 00 00 00 00 00 00 00 00 00 00',
    ),
    ipText: `Unknown message: 00000060 0x00000012 0x00000001
`,
  },
  DELSA: {
    doc: 'ip xfrm state delete: XFRM_MSG_DELSA with a mark',
    command: `xfrm state delete src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x1001 mark 3`,
    bytes: fromHex(
      '48 00 00 00 11 00 05 00 52 9d 12 6b 00 00 00 00',
      '0a 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 10 01 02 00 32 00 14 00 0d 00 0a 00 00 01',
      '00 00 00 00 00 00 00 00 00 00 00 00 0c 00 15 00',
      '03 00 00 00 ff ff ff ff',
    ),
    ipText: `Deleted `,
  },
  ALLOCSPI: {
    doc: 'ip xfrm state allocspi: XFRM_MSG_ALLOCSPI (struct xfrm_userspi_info)',
    command: `xfrm state allocspi src 10.0.0.1 dst 10.0.0.9 proto esp reqid 4 mode tunnel min 0x900 max 0x900`,
    bytes: fromHex(
      'f8 00 00 00 16 00 01 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 09 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '04 00 00 00 02 00 01 00 00 00 00 00 00 00 00 00',
      '00 09 00 00 00 09 00 00',
    ),
    ipText: `Unknown message: 00000248 0x00000016 0x00000001
`,
  },
  ALLOCSPI_REPLY: {
    doc: "the kernel's answer to that allocspi: the larval SA (XFRM_MSG_NEWSA)",
    command: `xfrm state allocspi src 10.0.0.1 dst 10.0.0.8 proto esp reqid 4 mode tunnel min 0x800 max 0x800`,
    bytes: fromHex(
      '00 01 00 00 10 00 00 00 52 9d 12 6b 6f 71 00 00',
      '0a 00 00 08 00 00 00 00 00 00 00 00 00 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 20 20 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 08 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 08 00 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 1e 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '51 9d 12 6b 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '04 00 00 00 02 00 01 00 00 00 00 00 00 00 00 00',
      '10 00 0a 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.8
	proto esp spi 0x00000800 reqid 4 mode tunnel
	replay-window 0 
	anti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
	sel src 10.0.0.1/32 dst 10.0.0.8/32 
`,
  },
  STATE_DUMP: {
    doc: "ip xfrm state: one SA of the kernel's dump (NLM_F_MULTI)",
    command: `xfrm state`,
    bytes: fromHex(
      '00 01 00 00 10 00 02 00 52 9d 12 6b 74 71 00 00',
      '0a 00 00 08 00 00 00 00 00 00 00 00 00 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 20 20 00 00 00 00',
      '00 00 00 00 00 00 00 00 0a 00 00 08 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 08 00 32 00 00 00',
      '0a 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      '00 00 00 00 00 00 00 00 1e 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '51 9d 12 6b 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '04 00 00 00 02 00 01 00 00 00 00 00 00 00 00 00',
      '10 00 0a 00 00 00 00 00 00 00 00 00 00 00 00 00',
    ),
    ipText: `src 10.0.0.1 dst 10.0.0.8
	proto esp spi 0x00000800 reqid 4 mode tunnel
	replay-window 0 
	anti-replay context: seq 0x0, oseq 0x0, bitmap 0x00000000
	sel src 10.0.0.1/32 dst 10.0.0.8/32 
`,
  },
  FLUSHSA: {
    doc: 'ip xfrm state flush proto esp: XFRM_MSG_FLUSHSA (a 1-byte header)',
    command: `xfrm state flush proto esp`,
    bytes: fromHex('11 00 00 00 1c 00 05 00 52 9d 12 6b 00 00 00 00', '32'),
    ipText: ``,
  },
  NEWPOLICY: {
    doc: 'ip xfrm policy add: two templates, a mark, if_id, ptype sub, priority, a lifetime and flags',
    command: `xfrm policy add src 10.0.0.0/24 dst 10.0.1.0/24 proto udp dport 53 dir out priority 7 ptype sub flag localok limit time-soft 60 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 5 tmpl proto comp level use mark 2 mask 0xff if_id 0x42`,
    bytes: fromHex(
      '5c 01 00 00 13 00 05 00 52 9d 12 6b 00 00 00 00',
      '0a 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 35 ff ff 00 00 00 00 02 00 18 18 11 00 00 00',
      '00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff 3c 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 07 00 00 00 00 00 00 00',
      '01 00 01 00 00 00 00 00 0a 00 10 00 01 00 00 00',
      '00 00 00 00 84 00 05 00 c0 00 02 02 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 32 00 00 00',
      '02 00 00 00 c0 00 02 01 00 00 00 00 00 00 00 00',
      '00 00 00 00 05 00 00 00 01 00 00 00 ff ff ff ff',
      'ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 6c 00 00 00',
      '02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 01 00 ff ff ff ff',
      'ff ff ff ff ff ff ff ff 0c 00 15 00 02 00 00 00',
      'ff 00 00 00 08 00 1f 00 42 00 00 00',
    ),
    ipText: `src 10.0.0.0/24 dst 10.0.1.0/24 proto udp dport 53 
	dir out priority 7 ptype sub flag localok
	mark 0x2/0xff 
	tmpl src 192.0.2.1 dst 192.0.2.2
		proto esp reqid 5 mode tunnel
	tmpl src 0.0.0.0 dst 0.0.0.0
		proto comp reqid 0 mode transport
		level use 
	if_id 0x42
`,
  },
  NEWPOLICY_CTX: {
    doc: 'ip xfrm policy add: a policy with a security context',
    command: `xfrm policy add src 10.0.5.0/24 dst 10.0.6.0/24 dir in ctx system_u:object_r:ipsec_spd_t:s0`,
    bytes: fromHex(
      'e8 00 00 00 13 00 05 00 52 9d 12 6b 00 00 00 00',
      '0a 00 06 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '0a 00 05 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 02 00 18 18 00 00 00 00',
      '00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 2d 00 08 00 29 00 08 00',
      '01 01 21 00 73 79 73 74 65 6d 5f 75 3a 6f 62 6a',
      '65 63 74 5f 72 3a 69 70 73 65 63 5f 73 70 64 5f',
      '74 3a 73 30 00 00 00 00',
    ),
    ipText: `src 10.0.5.0/24 dst 10.0.6.0/24 
	security context system_u:object_r:ipsec_spd_t:s0 
	dir in priority 0 
`,
  },
  UPDPOLICY_BLOCK: {
    doc: 'ip xfrm policy update: an IPv6 block policy on ICMPv6 type 128',
    command: `xfrm policy update src 2001:db8::/64 dst ::/0 proto ipv6-icmp type 128 dir in action block`,
    bytes: fromHex(
      'b8 00 00 00 19 00 05 00 52 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 80 ff ff 0a 00 00 40 3a 00 00 00',
      '00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 01 00 00 00 00 00 00',
    ),
    ipText: `Updated src 2001:db8::/64 dst ::/0 proto ipv6-icmp type 128 
	dir in action block priority 0 
`,
  },
  POLICY_DUMP: {
    doc: "ip xfrm policy: one policy of the kernel's dump",
    command: `xfrm policy`,
    bytes: fromHex(
      'c4 00 00 00 13 00 02 00 52 9d 12 6b 8d 71 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 80 ff ff 0a 00 00 40 3a 00 00 00',
      '00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff',
      'ff ff ff ff ff ff ff ff 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 00 00 00 00 00 00 00 51 9d 12 6b 00 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 18 00 00 00',
      '00 01 00 00 00 00 00 00 0a 00 10 00 00 00 00 00',
      '00 00 00 00',
    ),
    ipText: `src 2001:db8::/64 dst ::/0 proto ipv6-icmp type 128 
	dir in action block priority 0 ptype main 
`,
  },
  DELPOLICY: {
    doc: 'ip xfrm policy delete: XFRM_MSG_DELPOLICY (struct xfrm_userpolicy_id)',
    command: `xfrm policy delete src 10.0.0.0/24 dst 10.0.1.0/24 proto udp dport 53 dir out ptype sub mark 2 mask 0xff if_id 0x42`,
    bytes: fromHex(
      '70 00 00 00 14 00 05 00 52 9d 12 6b 00 00 00 00',
      '0a 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '0a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '00 35 ff ff 00 00 00 00 02 00 18 18 11 00 00 00',
      '00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00',
      '0a 00 10 00 01 00 00 00 00 00 00 00 0c 00 15 00',
      '02 00 00 00 ff 00 00 00 08 00 1f 00 42 00 00 00',
    ),
    ipText: `Deleted `,
  },
  FLUSHPOLICY: {
    doc: 'ip xfrm policy flush ptype sub: XFRM_MSG_FLUSHPOLICY (no header)',
    command: `xfrm policy flush ptype sub`,
    bytes: fromHex('1c 00 00 00 1d 00 05 00 52 9d 12 6b 00 00 00 00', '0a 00 10 00 01 00 00 00 00 00 00 00'),
    ipText: `Flushed policy ptype sub 
`,
  },
  GETDEFAULT_REPLY: {
    doc: "ip xfrm policy getdefault: the kernel's XFRM_MSG_GETDEFAULT answer",
    command: `xfrm policy getdefault`,
    bytes: fromHex('14 00 00 00 28 00 00 00 52 9d 12 6b 9c 71 00 00', '02 02 02 00'),
    ipText: `Default policies:
 in:  accept
 fwd: accept
 out: accept
`,
  },
  SPDINFO_REPLY: {
    doc: "ip xfrm policy count: the kernel's XFRM_MSG_NEWSPDINFO answer",
    command: `xfrm policy count`,
    bytes: fromHex(
      '4c 00 00 00 24 00 00 00 52 9d 12 6b a1 71 00 00',
      'ff ff ff ff 1c 00 01 00 02 00 00 00 00 00 00 00',
      '01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
      '0c 00 02 00 07 00 00 00 00 00 10 00 06 00 03 00',
      '20 20 00 00 06 00 04 00 80 80 00 00',
    ),
    ipText: `Unknown message: 00000076 0x00000024 0x00000000
`,
  },
  SADINFO_REPLY: {
    doc: "ip xfrm state count: the kernel's XFRM_MSG_NEWSADINFO answer",
    command: `xfrm state count`,
    bytes: fromHex('28 00 00 00 22 00 00 00 52 9d 12 6b a6 71 00 00', 'ff ff ff ff 08 00 01 00 00 00 00 00 0c 00 02 00', '08 00 00 00 00 00 10 00'),
    ipText: `Unknown message: 00000040 0x00000022 0x00000000
`,
  },
};
