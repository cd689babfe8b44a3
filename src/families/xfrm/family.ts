// The generated xfrm family, imported on first use (XfrmClient.open /
// fromSocket, or loadXfrmFamily) rather than when 'nlkit' is imported: the
// module is large. Shared by the client and the conversions.
import type { family as xfrmFamilyValue } from '../generated/xfrm.js';
import { LazyFamily } from '../lazy.js';

/** The generated xfrm family. */
export type XfrmFamilyModule = typeof xfrmFamilyValue;

/** @internal The xfrm family, loaded once. */
export const xfrmFamily = new LazyFamily<XfrmFamilyModule>('xfrm', () => import('../generated/xfrm.js'), 'open an XfrmClient first, or await xfrm.loadXfrmFamily()');

/**
 * Loads the generated xfrm family, which decodeXfrmMessage, decodeXfrmEvent,
 * toState, toPolicy and toTemplates need (XfrmClient.open and fromSocket load
 * it). Resolves with the family; later calls return the same one.
 */
export function loadXfrmFamily(): Promise<XfrmFamilyModule> {
  return xfrmFamily.load();
}
