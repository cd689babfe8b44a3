// Linux errno numbers (asm-generic/errno-base.h, asm-generic/errno.h) with
// their symbolic names and a short description, so kernel rejections read
// like Node's system errors without importing node:os into the pure core.

const TABLE: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [3, 'ESRCH', 'No such process'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [6, 'ENXIO', 'No such device or address'],
  [7, 'E2BIG', 'Argument list too long'],
  [8, 'ENOEXEC', 'Exec format error'],
  [9, 'EBADF', 'Bad file descriptor'],
  [10, 'ECHILD', 'No child processes'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [15, 'ENOTBLK', 'Block device required'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [18, 'EXDEV', 'Invalid cross-device link'],
  [19, 'ENODEV', 'No such device'],
  [20, 'ENOTDIR', 'Not a directory'],
  [21, 'EISDIR', 'Is a directory'],
  [22, 'EINVAL', 'Invalid argument'],
  [23, 'ENFILE', 'Too many open files in system'],
  [24, 'EMFILE', 'Too many open files'],
  [25, 'ENOTTY', 'Inappropriate ioctl for device'],
  [26, 'ETXTBSY', 'Text file busy'],
  [27, 'EFBIG', 'File too large'],
  [28, 'ENOSPC', 'No space left on device'],
  [29, 'ESPIPE', 'Illegal seek'],
  [30, 'EROFS', 'Read-only file system'],
  [31, 'EMLINK', 'Too many links'],
  [32, 'EPIPE', 'Broken pipe'],
  [33, 'EDOM', 'Numerical argument out of domain'],
  [34, 'ERANGE', 'Numerical result out of range'],
  [35, 'EDEADLK', 'Resource deadlock avoided'],
  [36, 'ENAMETOOLONG', 'File name too long'],
  [37, 'ENOLCK', 'No locks available'],
  [38, 'ENOSYS', 'Function not implemented'],
  [39, 'ENOTEMPTY', 'Directory not empty'],
  [40, 'ELOOP', 'Too many levels of symbolic links'],
  [42, 'ENOMSG', 'No message of desired type'],
  [43, 'EIDRM', 'Identifier removed'],
  [61, 'ENODATA', 'No data available'],
  [62, 'ETIME', 'Timer expired'],
  [71, 'EPROTO', 'Protocol error'],
  [74, 'EBADMSG', 'Bad message'],
  [75, 'EOVERFLOW', 'Value too large for defined data type'],
  [84, 'EILSEQ', 'Invalid or incomplete multibyte or wide character'],
  [88, 'ENOTSOCK', 'Socket operation on non-socket'],
  [89, 'EDESTADDRREQ', 'Destination address required'],
  [90, 'EMSGSIZE', 'Message too long'],
  [91, 'EPROTOTYPE', 'Protocol wrong type for socket'],
  [92, 'ENOPROTOOPT', 'Protocol not available'],
  [93, 'EPROTONOSUPPORT', 'Protocol not supported'],
  [94, 'ESOCKTNOSUPPORT', 'Socket type not supported'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [96, 'EPFNOSUPPORT', 'Protocol family not supported'],
  [97, 'EAFNOSUPPORT', 'Address family not supported by protocol'],
  [98, 'EADDRINUSE', 'Address already in use'],
  [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [100, 'ENETDOWN', 'Network is down'],
  [101, 'ENETUNREACH', 'Network is unreachable'],
  [102, 'ENETRESET', 'Network dropped connection on reset'],
  [103, 'ECONNABORTED', 'Software caused connection abort'],
  [104, 'ECONNRESET', 'Connection reset by peer'],
  [105, 'ENOBUFS', 'No buffer space available'],
  [106, 'EISCONN', 'Transport endpoint is already connected'],
  [107, 'ENOTCONN', 'Transport endpoint is not connected'],
  [110, 'ETIMEDOUT', 'Connection timed out'],
  [111, 'ECONNREFUSED', 'Connection refused'],
  [112, 'EHOSTDOWN', 'Host is down'],
  [113, 'EHOSTUNREACH', 'No route to host'],
  [114, 'EALREADY', 'Operation already in progress'],
  [115, 'EINPROGRESS', 'Operation now in progress'],
  [121, 'EREMOTEIO', 'Remote I/O error'],
  [122, 'EDQUOT', 'Disk quota exceeded'],
  [125, 'ECANCELED', 'Operation canceled'],
  [126, 'ENOKEY', 'Required key not available'],
  [127, 'EKEYEXPIRED', 'Key has expired'],
  [128, 'EKEYREVOKED', 'Key has been revoked'],
  [129, 'EKEYREJECTED', 'Key was rejected by service'],
  [131, 'ENOTRECOVERABLE', 'State not recoverable'],
  [132, 'ERFKILL', 'Operation not possible due to RF-kill'],
  [133, 'EHWPOISON', 'Memory page has hardware error'],
  // Kernel-internal codes that still reach user space through netlink.
  [524, 'ENOTSUPP', 'Operation is not supported'],
];

const byNumber = new Map<number, readonly [string, string]>(TABLE.map(([n, c, d]) => [n, [c, d]]));
const byCode = new Map<string, number>(TABLE.map(([n, c]) => [c, n]));

/** Symbolic name of a (positive) errno, e.g. 17 -> 'EEXIST'; unknown numbers give 'E<n>'. */
export function errnoCode(errno: number): string {
  return byNumber.get(errno)?.[0] ?? `E${errno}`;
}

/** strerror()-like description of a (positive) errno. */
export function errnoDescription(errno: number): string {
  return byNumber.get(errno)?.[1] ?? `Unknown error ${errno}`;
}

/** The errno number of a symbolic name, or undefined. */
export function errnoNumber(code: string): number | undefined {
  return byCode.get(code);
}
