// Hand-built messages of the macsec generic netlink family, which this kernel
// lacks, laid out from include/uapi/linux/if_macsec.h and in the order
// drivers/net/macsec.c's dump_secy() writes them (x86_64: no pad attributes
// before the 64-bit values). The netlink and attribute headers are written
// here from their layouts (struct nlmsghdr, struct genlmsghdr, struct nlattr:
// u16 length, u16 type, payload padded to 4 bytes), not by nlkit's encoder.
// test/unit/cli/ip/macsec.test.ts prints them as ipmacsec.c prints them;
// test/fuzz/macsec.fuzz.test.ts mutates them.

/** The family id the vectors use (nlctrl would assign one at boot). */
export const MACSEC_FAMILY_ID = 0x1f;

const le = (v: bigint | number, bytes: number): string => {
  let s = '';
  let x = BigInt(v);
  for (let i = 0; i < bytes; i++, x >>= 8n) s += (x & 0xffn).toString(16).padStart(2, '0');
  return s;
};
/** One attribute: length and type (little-endian u16s), the payload, zeros to the next 4-byte boundary. */
const nla = (type: number, payload: string): string => le(4 + payload.length / 2, 2) + le(type, 2) + payload + '00'.repeat((4 - ((payload.length / 2) % 4)) % 4);
const u8 = (type: number, v: number): string => nla(type, le(v, 1));
const u32 = (type: number, v: number): string => nla(type, le(v, 4));
const u64 = (type: number, v: bigint | number): string => nla(type, le(v, 8));
/** A generic netlink message: nlmsghdr (type = family id, NLM_F_MULTI, seq 1, pid 0), genlmsghdr (cmd 0 = MACSEC_CMD_GET_TXSC, version 1). */
const dumpMessage = (attrs: string): string => {
  const body = '00010000' + attrs;
  return le(16 + body.length / 2, 4) + le(MACSEC_FAMILY_ID, 2) + le(0x2, 2) + le(1, 4) + le(0, 4) + body;
};

/** A key id: `first` then 15 bytes of `fill`. */
const keyId = (first: number, fill = 0): string => le(first, 1) + le(fill, 1).repeat(15);

/**
 * One SecY (ifindex 7) with GCM-AES-128: a TX SC with two TX SAs (AN 0 on,
 * AN 1 off), one RX SC (SCI 52:54:00:ab:cd:ef port 2) with one SA (AN 0),
 * counters at every level (the SecY's InPktsOverrun left out, so ip prints
 * "-" for it), offload off.
 */
export const SECY_REPLY = dumpMessage(
  u32(1, 7) + // MACSEC_ATTR_IFINDEX 7
    nla(9, u8(1, 0)) + // MACSEC_ATTR_OFFLOAD { MACSEC_OFFLOAD_ATTR_TYPE off }
    nla(
      4, // MACSEC_ATTR_SECY
      nla(1, '5254001234560001') + // MACSEC_SECY_ATTR_SCI 52:54:00:12:34:56 port 1 (network order)
        u64(4, 0x0080c20001000001n) + // MACSEC_SECY_ATTR_CIPHER_SUITE GCM-AES-128
        u8(5, 16) + // MACSEC_SECY_ATTR_ICV_LEN
        u8(8, 1) + // MACSEC_SECY_ATTR_OPER
        u8(6, 1) + // MACSEC_SECY_ATTR_PROTECT
        u8(7, 1) + // MACSEC_SECY_ATTR_REPLAY
        u8(9, 2) + // MACSEC_SECY_ATTR_VALIDATE strict
        u8(10, 1) + // MACSEC_SECY_ATTR_ENCRYPT
        u8(11, 1) + // MACSEC_SECY_ATTR_INC_SCI
        u8(12, 0) + // MACSEC_SECY_ATTR_ES
        u8(13, 0) + // MACSEC_SECY_ATTR_SCB
        u8(2, 1) + // MACSEC_SECY_ATTR_ENCODING_SA 1
        u32(3, 32), // MACSEC_SECY_ATTR_WINDOW (replay is on)
    ) +
    nla(
      7, // MACSEC_ATTR_TXSC_STATS: OUT_PKTS_PROTECTED, OUT_PKTS_ENCRYPTED, OUT_OCTETS_PROTECTED, OUT_OCTETS_ENCRYPTED
      u64(1, 10) + u64(2, 20) + u64(3, 1000) + u64(4, 2000),
    ) +
    nla(
      8, // MACSEC_ATTR_SECY_STATS: OUT_PKTS_UNTAGGED .. IN_PKTS_NO_SCI (no IN_PKTS_OVERRUN)
      u64(1, 3) + u64(2, 4) + u64(3, 0) + u64(4, 5) + u64(5, 0) + u64(6, 6) + u64(7, 0),
    ) +
    nla(
      5, // MACSEC_ATTR_TXSA_LIST
      nla(
        1, // TX SA #1
        nla(6, u32(6, 10) + u32(7, 0)) + // MACSEC_SA_ATTR_STATS { OUT_PKTS_PROTECTED 10, OUT_PKTS_ENCRYPTED 0 }
          u8(1, 0) + // MACSEC_SA_ATTR_AN 0
          u32(3, 100) + // MACSEC_SA_ATTR_PN 100
          nla(5, keyId(1)) + // MACSEC_SA_ATTR_KEYID 01 00..
          u8(2, 1), // MACSEC_SA_ATTR_ACTIVE on
      ) +
        nla(
          2, // TX SA #2
          nla(6, u32(6, 0) + u32(7, 5)) + // MACSEC_SA_ATTR_STATS { 0, 5 }
            u8(1, 1) + // MACSEC_SA_ATTR_AN 1
            u32(3, 1) + // MACSEC_SA_ATTR_PN 1
            nla(5, keyId(2, 0xff)) + // MACSEC_SA_ATTR_KEYID 02 ff..
            u8(2, 0), // MACSEC_SA_ATTR_ACTIVE off
        ),
    ) +
    nla(
      6, // MACSEC_ATTR_RXSC_LIST
      nla(
        1, // RX SC #1
        u8(2, 1) + // MACSEC_RXSC_ATTR_ACTIVE on
          nla(1, '525400abcdef0002') + // MACSEC_RXSC_ATTR_SCI 52:54:00:ab:cd:ef port 2
          nla(
            4, // MACSEC_RXSC_ATTR_STATS: IN_OCTETS_VALIDATED .. IN_PKTS_UNUSED_SA
            u64(1, 0) + u64(2, 3000) + u64(3, 0) + u64(4, 0) + u64(5, 30) + u64(6, 1) + u64(7, 2) + u64(8, 0) + u64(9, 0) + u64(10, 0),
          ) +
          nla(
            3, // MACSEC_RXSC_ATTR_SA_LIST
            nla(
              1, // RX SA #1
              nla(6, u32(1, 30) + u32(2, 1) + u32(3, 0) + u32(4, 0) + u32(5, 0)) + // MACSEC_SA_ATTR_STATS: IN_PKTS_OK .. IN_PKTS_UNUSED_SA
                u8(1, 0) + // MACSEC_SA_ATTR_AN 0
                u32(3, 31) + // MACSEC_SA_ATTR_PN 31
                nla(5, keyId(3)) + // MACSEC_SA_ATTR_KEYID 03 00..
                u8(2, 1), // MACSEC_SA_ATTR_ACTIVE on
            ),
          ),
      ),
    ),
);

/**
 * A second SecY (ifindex 9) with GCM-AES-XPN-256: replay off (no window),
 * validate disabled, offload mac, one TX SA whose 64-bit packet number is
 * above 2^32 with an SSCI, no RX SC.
 */
export const XPN_REPLY = dumpMessage(
  u32(1, 9) + // MACSEC_ATTR_IFINDEX 9
    nla(9, u8(1, 2)) + // MACSEC_ATTR_OFFLOAD { TYPE mac }
    nla(
      4, // MACSEC_ATTR_SECY
      nla(1, '0200000000090001') + // SCI 02:00:00:00:00:09 port 1
        u64(4, 0x0080c20001000004n) + // CIPHER_SUITE GCM-AES-XPN-256
        u8(5, 16) + // ICV_LEN
        u8(8, 0) + // OPER
        u8(6, 1) + // PROTECT
        u8(7, 0) + // REPLAY off
        u8(9, 0) + // VALIDATE disabled
        u8(10, 0) + // ENCRYPT
        u8(11, 0) + // INC_SCI
        u8(12, 1) + // ES
        u8(13, 0) + // SCB
        u8(2, 0), // ENCODING_SA 0
    ) +
    nla(7, u64(1, 0) + u64(2, 0) + u64(3, 0) + u64(4, 0)) + // MACSEC_ATTR_TXSC_STATS
    nla(8, u64(1, 0) + u64(2, 0) + u64(3, 0) + u64(4, 0) + u64(5, 0) + u64(6, 0) + u64(7, 0) + u64(8, 0)) + // MACSEC_ATTR_SECY_STATS
    nla(
      5, // MACSEC_ATTR_TXSA_LIST
      nla(
        1,
        nla(6, u32(6, 0) + u32(7, 0)) + // STATS
          u8(1, 0) + // AN 0
          u64(3, 0x100000005n) + // PN 2^32 + 5 (8 bytes: XPN)
          nla(5, keyId(4)) + // KEYID 04 00..
          nla(8, '00000102') + // MACSEC_SA_ATTR_SSCI 0x102 (network order)
          u8(2, 1), // ACTIVE on
      ),
    ) +
    nla(6, ''), // MACSEC_ATTR_RXSC_LIST, empty
);

/** A dump message without MACSEC_ATTR_SECY_STATS: ip's validate_dump() refuses it ("incomplete dump message"). */
export const INCOMPLETE_REPLY = dumpMessage(u32(1, 7) + nla(4, nla(1, '5254001234560001')) + nla(7, '') + nla(5, '') + nla(6, ''));
