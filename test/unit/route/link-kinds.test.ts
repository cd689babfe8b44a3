// LINK_KINDS is written out in links.ts (so that importing nlkit does not load
// rt-link): it must be the formats of rt-link's linkinfo-data-msg, in order.
import { describe, expect, it } from 'vitest';
import { family as rtLink } from '../../../src/families/generated/rt-link.js';
import { LINK_KINDS } from '../../../src/families/route/links.js';

describe('LINK_KINDS', () => {
  it("is the list of rt-link's linkinfo-data-msg formats", () => {
    const sub = rtLink.spec.subMessages.find((m) => m.name === 'linkinfo-data-msg')!;
    expect(LINK_KINDS).toEqual(sub.formats.map((f) => f.value));
  });
});
