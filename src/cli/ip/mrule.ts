// `nlkit mrule`: multicast routing rules (ip/iprule.c do_multirule): `ip
// rule` with the family RTNL_FAMILY_IPMR (IPv4, the default) or
// RTNL_FAMILY_IP6MR (-6), through rule.ts.
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../core/constants.js';
import * as R from '../../families/generated/rt-route.constants.js';
import { NetlinkError } from '../../core/errors.js';
import { matches } from './args.js';
import { usage, type IpContext } from './context.js';
import { kernelErrorText } from './index.js';
import { runRule } from './rule.js';

/** Runs `nlkit mrule ...` (do_multirule). */
export async function runMrule(ctx: IpContext, argv: string[]): Promise<number> {
  const family = ctx.options.family;
  if (family === AF_UNSPEC || family === AF_INET) ctx.options.family = R.RTNL_FAMILY_IPMR;
  else if (family === AF_INET6) ctx.options.family = R.RTNL_FAMILY_IP6MR;
  else if (family !== R.RTNL_FAMILY_IPMR && family !== R.RTNL_FAMILY_IP6MR) {
    throw usage(`Multicast rules are only supported for IPv4/IPv6, was: ${family}`);
  }
  const cmd = argv[0];
  const listing = cmd === undefined || matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show');
  try {
    return await runRule(ctx, argv);
  } catch (err) {
    // iprule_list_flush_or_save(): the dump's error, "Dump terminated", status 255, and
    // new_json_obj()'s "[" left open on stdout.
    if (!listing || !(err instanceof NetlinkError)) throw err;
    if (ctx.options.json) ctx.print('[');
    throw usage(`${kernelErrorText(err)}Dump terminated`);
  }
}
