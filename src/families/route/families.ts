// The generated rtnetlink families the typed clients stand on, loaded on
// first use (RouteClient.open, monitor(), watch(), loadFamilies()) rather
// than when 'nlkit' is imported: they are most of what an import would
// otherwise load and run.
import type { Family } from '../../schema/family.js';

/** The rt-link, rt-addr, rt-route, rt-neigh, rt-rule and rt-nexthop families. */
export interface RouteFamilies {
  /** rt-link: links (RTM_*LINK). */
  readonly link: Family;
  /** rt-addr: addresses (RTM_*ADDR). */
  readonly addr: Family;
  /** rt-route: routes (RTM_*ROUTE). */
  readonly route: Family;
  /** rt-neigh: neighbours (RTM_*NEIGH). */
  readonly neigh: Family;
  /** rt-rule: routing policy rules (RTM_*RULE). */
  readonly rule: Family;
  /** rt-nexthop: nexthop objects and resilient-group buckets (RTM_*NEXTHOP*). */
  readonly nexthop: Family;
}

// A cache of modules (what import() keeps anyway), so that code running after
// a load can reach them synchronously.
let loaded: RouteFamilies | undefined;
let loading: Promise<RouteFamilies> | undefined;

/** Loads the route families (once; later calls return the same promise). */
export function loadFamilies(): Promise<RouteFamilies> {
  loading ??= Promise.all([
    import('../generated/rt-link.js'),
    import('../generated/rt-addr.js'),
    import('../generated/rt-route.js'),
    import('../generated/rt-neigh.js'),
    import('../generated/rt-rule.js'),
    import('../generated/rt-nexthop.js'),
  ]).then(
    ([link, addr, route, neigh, rule, nexthop]) =>
      (loaded = {
        link: link.family as unknown as Family,
        addr: addr.family as unknown as Family,
        route: route.family as unknown as Family,
        neigh: neigh.family as unknown as Family,
        rule: rule.family as unknown as Family,
        nexthop: nexthop.family as unknown as Family,
      }),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** The route families, once loaded (code that runs after a client, monitor or watch opened). */
export function routeFamilies(): RouteFamilies {
  if (loaded === undefined) throw new Error('the route families are not loaded yet: await route.loadFamilies() first (RouteClient.open does)');
  return loaded;
}
