#!/usr/bin/env node
// One phase of `nlkit -j route show` as a process, for the breakdown in
// bench/run.mjs (each phase includes the ones before it):
//   load    import the modules the command runs (nothing else)
//   dump    + open the socket in the namespace and dump the main table (no decoding)
//   decode  + tabulate every route's attributes as the command does (no printing)
// usage: node bench/floor/cli-phase.mjs load|dump|decode NETNS
import { RTM_GETROUTE, RTMSG_SIZE, RTA_TABLE, RT_TABLE_MAIN } from '../../dist/families/route/constants.js';

const [phase, ns] = process.argv.slice(2);
const [{ IpContext }, { messageAttrs }] = await Promise.all([
  import('../../dist/cli/ip/context.js'),
  import('../../dist/cli/ip/attrs.js'),
  import('../../dist/cli/main.js'),
  import('../../dist/cli/ip/index.js'),
  import('../../dist/cli/ip/route.js'),
]);
if (phase !== 'load') {
  const options = { json: true, pretty: false, details: 0, stats: 0, family: 0, netns: ns, oneline: false, brief: false, human: 0, iec: 0, all: false };
  const ctx = new IpContext({ stdout: () => {}, stderr: () => {} }, options);
  await ctx.loadLinks();
  const req = ctx.build(RTM_GETROUTE, 0x301, RTMSG_SIZE, (w, h) => {
    w.view.setUint8(h, 2);
    w.putU32(RTA_TABLE, RT_TABLE_MAIN);
  });
  let n = 0;
  await ctx.dump(req, (m) => {
    if (phase === 'decode') n += messageAttrs(m, RTMSG_SIZE).has(RTA_TABLE) ? 1 : 0;
    else n++;
  });
  ctx.close();
  if (n === 0) process.exitCode = 1;
}
