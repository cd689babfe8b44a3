// kobject uevents (NETLINK_KOBJECT_UEVENT): decoders for the kernel's and
// udev's formats, a typed listener, sysfs attributes, and the printer of
// `nlkit monitor uevent`.
export {
  UEVENT_GROUP_KERNEL,
  UEVENT_GROUP_UDEV,
  UDEV_MONITOR_MAGIC,
  decodeUevent,
  decodeKernelUevent,
  decodeUdevUevent,
  encodeKernelUevent,
  encodeUdevUevent,
  isUdevDatagram,
  type UeventAction,
  type UeventData,
} from './decode.js';
export { Uevent, UeventSocket, UeventSubscription, type UeventOpenOptions, type UeventSubscribeOptions } from './socket.js';
export { SYSFS_ROOT, readSysfsAttribute, sysfsPath, isNetworkDeviceEvent, type SysfsReadOptions } from './sysfs.js';
export { formatUevent, formatUeventJson, runUeventMonitor, UEVENT_MONITOR_USAGE, type FormatUeventOptions, type UeventMonitorIO, type UeventMonitorOptions } from './monitor.js';
