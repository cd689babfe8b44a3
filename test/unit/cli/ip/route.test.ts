// Pieces of `nlkit route` that need no kernel (src/cli/ip/route.ts).
import { describe, expect, it } from 'vitest';
import { formatG } from '../../../../src/cli/ip/route.js';

describe('formatG', () => {
  // print_rta_metrics() prints times of a second or more with "%gs": `rto_min 4294967`
  // is listed as "rto_min lock 4294.97s", `rtt 9000` as "rtt 1.125s" (iproute2 6.1).
  it.each([
    [4294.967, '4294.97'],
    [1.125, '1.125'],
    [3, '3'],
    [1, '1'],
    [536870.911, '536871'],
    [4294967.295, '4.29497e+06'],
    [0.5, '0.5'],
    [0.00001, '1e-05'],
  ])('prints %d as printf("%%g") does: %s', (x, text) => {
    expect(formatG(x)).toBe(text);
  });
});
