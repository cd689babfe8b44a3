import { describe, expect, it } from 'vitest';
import { errnoCode, errnoDescription, errnoNumber } from '../../../src/core/errno.js';

// glibc's names and strerror() texts, printed on the capture machine with
//   python3 -c 'import os, errno; [print(n, errno.errorcode[n], os.strerror(n)) for n in NUMBERS]'
// (Python picks the last alias: it prints EDEADLOCK for 35 and ENOTSUP for 95,
// where the kernel headers and nlkit use EDEADLK and EOPNOTSUPP.)
const GLIBC = [
  { errno: 1, code: 'EPERM', text: 'Operation not permitted' },
  { errno: 2, code: 'ENOENT', text: 'No such file or directory' },
  { errno: 11, code: 'EAGAIN', text: 'Resource temporarily unavailable' },
  { errno: 12, code: 'ENOMEM', text: 'Cannot allocate memory' },
  { errno: 13, code: 'EACCES', text: 'Permission denied' },
  { errno: 16, code: 'EBUSY', text: 'Device or resource busy' },
  { errno: 17, code: 'EEXIST', text: 'File exists' },
  { errno: 19, code: 'ENODEV', text: 'No such device' },
  { errno: 22, code: 'EINVAL', text: 'Invalid argument' },
  { errno: 34, code: 'ERANGE', text: 'Numerical result out of range' },
  { errno: 35, code: 'EDEADLK', text: 'Resource deadlock avoided' },
  { errno: 61, code: 'ENODATA', text: 'No data available' },
  { errno: 71, code: 'EPROTO', text: 'Protocol error' },
  { errno: 90, code: 'EMSGSIZE', text: 'Message too long' },
  { errno: 93, code: 'EPROTONOSUPPORT', text: 'Protocol not supported' },
  { errno: 95, code: 'EOPNOTSUPP', text: 'Operation not supported' },
  { errno: 97, code: 'EAFNOSUPPORT', text: 'Address family not supported by protocol' },
  { errno: 98, code: 'EADDRINUSE', text: 'Address already in use' },
  { errno: 99, code: 'EADDRNOTAVAIL', text: 'Cannot assign requested address' },
  { errno: 101, code: 'ENETUNREACH', text: 'Network is unreachable' },
  { errno: 105, code: 'ENOBUFS', text: 'No buffer space available' },
  { errno: 110, code: 'ETIMEDOUT', text: 'Connection timed out' },
  { errno: 111, code: 'ECONNREFUSED', text: 'Connection refused' },
  { errno: 113, code: 'EHOSTUNREACH', text: 'No route to host' },
  { errno: 125, code: 'ECANCELED', text: 'Operation canceled' },
  { errno: 133, code: 'EHWPOISON', text: 'Memory page has hardware error' },
] as const;

describe('errno tables', () => {
  it.each(GLIBC)('names $errno $code with the glibc text', ({ errno, code, text }) => {
    expect([errnoCode(errno), errnoDescription(errno), errnoNumber(code)]).toEqual([code, text, errno]);
  });

  it('knows the kernel-internal ENOTSUPP (524) that netlink can leak to user space', () => {
    expect([errnoCode(524), errnoDescription(524), errnoNumber('ENOTSUPP')]).toEqual(['ENOTSUPP', 'Operation is not supported', 524]);
  });

  it('falls back to E<n> and "Unknown error <n>" for numbers it does not know', () => {
    expect([errnoCode(4095), errnoDescription(4095)]).toEqual(['E4095', 'Unknown error 4095']);
  });

  it('has no number for an unknown name', () => {
    expect(errnoNumber('ENOTANERROR')).toBeUndefined();
  });
});
