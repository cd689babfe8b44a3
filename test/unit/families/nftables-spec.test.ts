// The nftables model the generated module is built from (the kernel's spec
// with overlays/nftables.yaml) numbers every attribute as the uapi header
// does: the kernel's spec skips PAD attributes in chain, rule and set
// element sets and lists lookup's set-id out of order, which the overlay
// corrects. The header is the one this machine's C compiler uses
// (linux-libc-dev); attributes newer than it are not checked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { family } from '../../../src/families/generated/nftables.js';

const HEADER = '/usr/include/linux/netfilter/nf_tables.h';

/** enum name -> entry name -> value, for the enums of a C header (plain and `= N` entries). */
function headerEnums(text: string): Map<string, Map<string, number>> {
  const enums = new Map<string, Map<string, number>>();
  for (const m of text.matchAll(/enum (\w+) \{([\s\S]*?)\};/g)) {
    const body = m[2]!.replace(/\/\*[\s\S]*?\*\//g, '').replace(/#define.*$/gm, '');
    const entries = new Map<string, number>();
    let next = 0;
    for (const part of body.split(',')) {
      const [name, value] = part.split('=').map((s) => s.trim());
      if (!name) continue;
      if (value !== undefined) {
        if (!/^\d+$/.test(value)) break;
        next = Number(value);
      }
      entries.set(name, next++);
    }
    enums.set(m[1]!, entries);
  }
  return enums;
}

// Attribute set of the spec -> [enum of the header, prefix of its entries].
const SETS: Record<string, [string, string]> = {
  'table-attrs': ['nft_table_attributes', 'NFTA_TABLE_'],
  'chain-attrs': ['nft_chain_attributes', 'NFTA_CHAIN_'],
  'rule-attrs': ['nft_rule_attributes', 'NFTA_RULE_'],
  'set-attrs': ['nft_set_attributes', 'NFTA_SET_'],
  'setelem-attrs': ['nft_set_elem_attributes', 'NFTA_SET_ELEM_'],
  'expr-lookup-attrs': ['nft_lookup_attributes', 'NFTA_LOOKUP_'],
  'expr-payload-attrs': ['nft_payload_attributes', 'NFTA_PAYLOAD_'],
  'expr-meta-attrs': ['nft_meta_attributes', 'NFTA_META_'],
  'expr-cmp-attrs': ['nft_cmp_attributes', 'NFTA_CMP_'],
  'expr-ct-attrs': ['nft_ct_attributes', 'NFTA_CT_'],
  'expr-nat-attrs': ['nft_nat_attributes', 'NFTA_NAT_'],
  'expr-immediate-attrs': ['nft_immediate_attributes', 'NFTA_IMMEDIATE_'],
  'expr-bitwise-attrs': ['nft_bitwise_attributes', 'NFTA_BITWISE_'],
  'expr-counter-attrs': ['nft_counter_attributes', 'NFTA_COUNTER_'],
  'expr-limit-attrs': ['nft_limit_attributes', 'NFTA_LIMIT_'],
  'expr-queue-attrs': ['nft_queue_attributes', 'NFTA_QUEUE_'],
  'expr-dynset-attrs': ['nft_dynset_attributes', 'NFTA_DYNSET_'],
  'expr-exthdr-attrs': ['nft_exthdr_attributes', 'NFTA_EXTHDR_'],
  'expr-redir-attrs': ['nft_redir_attributes', 'NFTA_REDIR_'],
  'expr-masq-attrs': ['nft_masq_attributes', 'NFTA_MASQ_'],
  'expr-hash-attrs': ['nft_hash_attributes', 'NFTA_HASH_'],
  'expr-rt-attrs': ['nft_rt_attributes', 'NFTA_RT_'],
  'expr-socket-attrs': ['nft_socket_attributes', 'NFTA_SOCKET_'],
  'expr-connlimit-attrs': ['nft_connlimit_attributes', 'NFTA_CONNLIMIT_'],
  'log-attrs': ['nft_log_attributes', 'NFTA_LOG_'],
  'quota-attrs': ['nft_quota_attributes', 'NFTA_QUOTA_'],
  'obj-attrs': ['nft_object_attributes', 'NFTA_OBJ_'],
};

describe('the nftables model', () => {
  const enums = headerEnums(readFileSync(HEADER, 'utf8'));

  it.each(Object.entries(SETS))('numbers %s as the uapi header does', (set, [enumName, prefix]) => {
    const header = enums.get(enumName);
    expect(header, `${enumName} in ${HEADER}`).toBeDefined();
    const attrs = family.spec.attributeSets.find((s) => s.name === set)?.attributes;
    expect(attrs, set).toBeDefined();
    const mismatched: string[] = [];
    let checked = 0;
    for (const a of attrs!) {
      const cName = prefix + a.name.toUpperCase().replace(/-/g, '_');
      const value = header!.get(cName);
      if (value === undefined) continue; // newer than this header
      checked++;
      if (value !== a.value) mismatched.push(`${a.name}: spec ${a.value}, ${cName} ${value}`);
    }
    expect(mismatched).toEqual([]);
    expect(checked).toBeGreaterThan(1);
  });

  it('names every register attribute of an expression through the registers enum', () => {
    const loose: string[] = [];
    for (const s of family.spec.attributeSets)
      for (const a of s.attributes) if (/(^|-)(sreg|dreg)($|-)|^reg-/.test(a.name) && a.enum !== 'registers') loose.push(`${s.name}.${a.name}`);
    expect(loose).toEqual([]);
  });
});
