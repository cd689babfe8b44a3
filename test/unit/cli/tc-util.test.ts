// What nlkit tc reads and prints as tc does (tc_util.c, tc_core.c,
// utils_math.c, json_print_math.c of iproute2 6.1): rates, sizes, times,
// handles and ethertypes, with the values tc itself prints for them.
import { describe, expect, it } from 'vitest';
import {
  calcXmitsize,
  calcXmittime,
  classidText,
  getQdiscHandle,
  getRate64,
  getSize,
  getSizeAndCell,
  getTcClassid,
  protoName,
  protoNumber,
  sprintRate,
  sprintSize,
  sprintTime,
} from '../../../src/cli/tc/util.js';

describe('tc rates', () => {
  it('are read as get_rate64 reads them: bits per second in, bytes per second out', () => {
    expect([getRate64('10mbit'), getRate64('1500kbit'), getRate64('1Mibit'), getRate64('8bit'), getRate64('1000'), getRate64('1MBps'), getRate64('2.5gbit')]).toEqual([
      1250000n,
      187500n,
      131072n,
      1n,
      125n,
      1000000n,
      312500000n,
    ]);
    expect([getRate64('1x'), getRate64('mbit'), getRate64('')]).toEqual([undefined, undefined, undefined]);
  });

  it('are printed as tc prints them (1000s, not 1024s, unless -iec; a unit only where the number divides)', () => {
    expect([sprintRate(125000), sprintRate(1250000), sprintRate(187500), sprintRate(15432), sprintRate(0), sprintRate(125000000000n)]).toEqual([
      '1Mbit',
      '10Mbit',
      '1500Kbit',
      '123456bit',
      '0bit',
      '1Tbit',
    ]);
    expect([sprintRate(131072, true), sprintRate(125000, true)]).toEqual(['1Mibit', '1000000bit']);
  });
});

describe('tc sizes and times', () => {
  it('read sizes as get_size does (k, m, g are powers of 1024; kbit and mbit eighths of them)', () => {
    expect([getSize('1600'), getSize('15k'), getSize('1.5kb'), getSize('2m'), getSize('8kbit'), getSize('3b')]).toEqual([1600, 15360, 1536, 2097152, 1024, 3]);
    expect([getSize('1q'), getSize('x'), getSize('5g')]).toEqual([undefined, undefined, undefined]);
    expect(getSizeAndCell('15k/8')).toEqual({ size: 15360, cellLog: 3 });
    expect(getSizeAndCell('15k')).toEqual({ size: 15360, cellLog: undefined });
    expect(getSizeAndCell('15k/3')).toBeUndefined();
  });

  it('print sizes as sprint_size does (Kb and Mb when close to a multiple, bytes truncated)', () => {
    expect([sprintSize(1600), sprintSize(15360), sprintSize(1599.75), sprintSize(1048576), sprintSize(30720), sprintSize(1030), sprintSize(0)]).toEqual([
      '1600b',
      '15Kb',
      '1599b',
      '1Mb',
      '30Kb',
      '1Kb',
      '0b',
    ]);
  });

  it('print times as sprint_time does', () => {
    expect([sprintTime(50000), sprintTime(1500000), sprintTime(999), sprintTime(12345), sprintTime(2000000)]).toEqual(['50ms', '1.5s', '999us', '12.3ms', '2s']);
  });

  it('turn a burst into scheduler ticks and back as tc_core.c does', () => {
    // 1600 bytes at 6 Mbit/s come back as 1599 (ticks and microseconds are truncated on the way): tc prints "burst 1599b".
    expect(Math.trunc(calcXmitsize(750000, calcXmittime(750000, 1600)))).toBe(1599);
    expect(calcXmitsize(125000, calcXmittime(125000, 1600))).toBe(1600);
  });
});

describe('tc handles and protocols', () => {
  it('read class ids as get_tc_classid and qdisc handles as get_qdisc_handle', () => {
    expect([getTcClassid('1:10'), getTcClassid('1:'), getTcClassid(':5'), getTcClassid('root'), getTcClassid('none'), getTcClassid('ffff:fff1')]).toEqual([
      0x10010, 0x10000, 5, 0xffffffff, 0, 0xfffffff1,
    ]);
    expect([getTcClassid('10000:1'), getTcClassid('1:10000'), getTcClassid('x'), getTcClassid('1:2:3')]).toEqual([undefined, undefined, undefined, undefined]);
    expect([getQdiscHandle('1:'), getQdiscHandle('ffff'), getQdiscHandle('none'), getQdiscHandle('10000:'), getQdiscHandle(':1')]).toEqual([
      0x10000,
      0xffff0000,
      0,
      undefined,
      undefined,
    ]);
  });

  it('print class ids as print_tc_classid', () => {
    expect([classidText(0x10010), classidText(0x10000), classidText(5), classidText(0xffffffff), classidText(0), classidText(0xfffffff1)]).toEqual([
      '1:10',
      '1:',
      ':5',
      'root',
      'none',
      'ffff:fff1',
    ]);
  });

  it('name ethertypes as ll_proto does', () => {
    expect([protoName(0x0800), protoName(3), protoName(0x86dd), protoName(0x8100), protoName(0x88a8), protoName(0x1234)]).toEqual([
      'ip',
      'all',
      'ipv6',
      '802.1Q',
      '802.1ad',
      '[4660]',
    ]);
    expect([protoNumber('ip'), protoNumber('ALL'), protoNumber('802.1q'), protoNumber('0x88cc'), protoNumber('nonsense')]).toEqual([0x0800, 3, 0x8100, 0x88cc, undefined]);
  });
});
