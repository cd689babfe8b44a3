// Task statistics (generic netlink family TASKSTATS): per-thread and
// per-process accounting on request, and statistics of exiting tasks by CPU.
export {
  TaskstatsClient,
  TaskExitSubscription,
  cpuList,
  decodeTaskExit,
  encodeListener,
  type ListenerRequest,
  type TaskStats,
  type TaskExit,
  type TaskstatsOpenOptions,
  type TaskExitOptions,
} from './client.js';
