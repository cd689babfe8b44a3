// Task statistics (generic netlink family TASKSTATS): per-thread and
// per-process accounting on request, statistics of exiting tasks by CPU, and
// the task counts of a cgroup (cgroupstats).
export {
  TaskstatsClient,
  TaskExitSubscription,
  cpuList,
  decodeTaskExit,
  encodeListener,
  encodeCgroupStatsRequest,
  decodeCgroupStats,
  loadTaskstatsFamily,
  type ListenerRequest,
  type TaskStats,
  type TaskExit,
  type CgroupStats,
  type TaskstatsOpenOptions,
  type TaskExitOptions,
  type TaskstatsFamily,
} from './client.js';
