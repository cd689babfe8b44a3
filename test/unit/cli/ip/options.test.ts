// Global options of the ip-style command (parseGlobalOptions in
// src/cli/ip/index.ts), read as ip/ip.c reads them: by prefix, with one or
// two leading dashes, counted where ip counts them, up to the object word or
// `--`; and kernelErrorText, ip's rendering of a kernel refusal.
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../../../src/cli/error.js';
import type { IpOptions } from '../../../../src/cli/ip/context.js';
import { findObject, kernelErrorText, parseGlobalOptions } from '../../../../src/cli/ip/index.js';
import { IP_USAGE } from '../../../../src/cli/ip/usage.js';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC } from '../../../../src/core/constants.js';
import { NetlinkError } from '../../../../src/core/errors.js';

const DEFAULTS: IpOptions = { json: false, pretty: false, details: 0, stats: 0, family: AF_UNSPEC, netns: undefined, oneline: false, brief: false, human: 0, iec: 0, all: false };

/** The CommandError parseGlobalOptions throws for `argv`. */
function refusal(argv: string[]): { message: string; exitCode: number } {
  try {
    parseGlobalOptions(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return { message: (err as CommandError).message, exitCode: (err as CommandError).exitCode };
  }
  throw new Error(`expected ${JSON.stringify(argv)} to be refused`);
}

describe('parseGlobalOptions', () => {
  const CASES: readonly { argv: string[]; options: Partial<IpOptions>; at: number }[] = [
    { argv: [], options: {}, at: 0 },
    { argv: ['link', 'show'], options: {}, at: 0 },
    { argv: ['-j', 'link'], options: { json: true }, at: 1 },
    { argv: ['-json', 'link'], options: { json: true }, at: 1 },
    { argv: ['--json', 'link'], options: { json: true }, at: 1 },
    { argv: ['-js', 'link'], options: { json: true }, at: 1 },
    { argv: ['-p', '-j', 'addr'], options: { json: true, pretty: true }, at: 2 },
    { argv: ['--pretty', 'addr'], options: { pretty: true }, at: 1 },
    { argv: ['-d', 'link'], options: { details: 1 }, at: 1 },
    { argv: ['-d', '-d', 'link'], options: { details: 2 }, at: 2 },
    { argv: ['-details', '--det', '-d', 'link'], options: { details: 3 }, at: 3 },
    { argv: ['-s', 'link'], options: { stats: 1 }, at: 1 },
    { argv: ['-s', '-stats', '-statistics', '--st', 'link'], options: { stats: 4 }, at: 4 },
    { argv: ['-o', 'addr'], options: { oneline: true }, at: 1 },
    { argv: ['-oneline', 'addr'], options: { oneline: true }, at: 1 },
    { argv: ['-br', 'link'], options: { brief: true }, at: 1 },
    { argv: ['-brief', 'addr'], options: { brief: true }, at: 1 },
    { argv: ['--bri', 'addr'], options: { brief: true }, at: 1 },
    { argv: ['-br', '-j', '-p', 'addr'], options: { brief: true, json: true, pretty: true }, at: 3 },
    { argv: ['-o', '-br', 'addr'], options: { brief: true, oneline: true }, at: 2 },
    { argv: ['-4', 'route'], options: { family: AF_INET }, at: 1 },
    { argv: ['-6', 'route'], options: { family: AF_INET6 }, at: 1 },
    { argv: ['-0', 'addr'], options: { family: AF_PACKET }, at: 1 },
    { argv: ['-B', 'link'], options: { family: AF_BRIDGE }, at: 1 },
    { argv: ['-M', 'route'], options: { family: AF_MPLS }, at: 1 },
    { argv: ['-6', '-4', 'route'], options: { family: AF_INET }, at: 2 },
    { argv: ['-f', 'inet', 'route'], options: { family: AF_INET }, at: 2 },
    { argv: ['-family', 'inet6', 'route'], options: { family: AF_INET6 }, at: 2 },
    { argv: ['--fam', 'link', 'addr'], options: { family: AF_PACKET }, at: 2 },
    { argv: ['-f', 'bridge', 'link'], options: { family: AF_BRIDGE }, at: 2 },
    { argv: ['-f', 'mpls', 'route'], options: { family: AF_MPLS }, at: 2 },
    { argv: ['-n', 'blue', 'link'], options: { netns: 'blue' }, at: 2 },
    { argv: ['-netns', 'blue', 'link'], options: { netns: 'blue' }, at: 2 },
    { argv: ['--netns', 'red', '-n', 'blue', 'link'], options: { netns: 'blue' }, at: 4 },
    { argv: ['-n', '-j', 'link'], options: { netns: '-j' }, at: 2 },
    {
      argv: ['-n', 'blue', '-j', '-p', '-d', '-s', '-s', '-4', 'addr', 'show', '-j'],
      options: { netns: 'blue', json: true, pretty: true, details: 1, stats: 2, family: AF_INET },
      at: 8,
    },
    { argv: ['--', '-j', 'link'], options: {}, at: 1 },
    { argv: ['-j', '--', 'link'], options: { json: true }, at: 2 },
    // "-" is a prefix of -loops, which takes the next word (ip.c): no object is left.
    { argv: ['-', 'link'], options: {}, at: 2 },
    // -h is -human (not help), -iec counts, and the options ip reads without nlkit needing them pass.
    { argv: ['-h', 'link'], options: { human: 1 }, at: 1 },
    { argv: ['-human', '-human-readable', '-iec', 'link'], options: { human: 2, iec: 1 }, at: 3 },
    { argv: ['-r', '-N', '-t', '-ts', '-c', '-color=never', '-echo', '-l', '3', 'link'], options: {}, at: 9 },
    { argv: ['-rc', '65536', 'monitor'], options: { rcvbuf: 65536 }, at: 2 },
    { argv: ['-a', 'netns', 'delete'], options: { all: true }, at: 1 },
    { argv: ['link', '-j'], options: {}, at: 0 },
  ];

  // ip.c matches -batch before -brief ("-b" is -batch); -force counts; the words after the options are left to the batch.
  it.each([
    { argv: ['-b', 'file', 'link'], batch: 'file', at: 2 },
    { argv: ['-force', '--batch', '-', '-force'], batch: '-', force: 2, at: 4 },
  ])('reads $argv as a batch', ({ argv, batch, force, at }) => {
    expect(parseGlobalOptions(argv)).toEqual({ options: DEFAULTS, at, batch, ...(force ? { force } : {}) });
  });

  it.each(CASES)('reads $argv', ({ argv, options, at }) => {
    expect(parseGlobalOptions(argv)).toEqual({ options: { ...DEFAULTS, ...options }, at });
  });

  const REFUSALS = [
    { argv: ['-x', 'link'], message: 'Option "-x" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-jsonx', 'link'], message: 'Option "-jsonx" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-J', 'link'], message: 'Option "-J" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-j', '-x'], message: 'Option "-x" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-color=sometimes', 'link'], message: 'Option "-color=sometimes" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-e', 'link'], message: 'Option "-e" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-force', '-batch'], message: IP_USAGE, exitCode: 255 },
    { argv: ['-brieff', 'link'], message: 'Option "-brieff" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-f', 'ipx', 'link'], message: 'Error: argument "ipx" is wrong: invalid protocol family', exitCode: 255 },
    { argv: ['-rcvbuf', 'x', 'link'], message: "Invalid rcvbuf size 'x'", exitCode: 255 },
    // ip's NEXT_ARG() lets a final -n through to netns_switch(NULL).
    { argv: ['-n'], message: 'Cannot open network namespace "(null)": No such file or directory', exitCode: 255 },
  ] as const;

  it.each(REFUSALS)('refuses $argv', ({ argv, message, exitCode }) => {
    expect(refusal([...argv])).toEqual({ message, exitCode });
  });

  // Options that need a value and have none, -help, -family help: ip's usage() (stderr, exit 255).
  it.each([[['-help']], [['--help', 'link']], [['-he']], [['-f']], [['-f', 'help']], [['-b']], [['-l']], [['-rc']]])(
    'answers %j with the usage text of ip 6.1 and exit status 255',
    (argv) => {
      const { message, exitCode } = refusal(argv);
      expect(exitCode).toBe(255);
      expect(message).toBe(IP_USAGE);
    },
  );

  it('checks a -n namespace where ip switches to it, before the options after it', () => {
    const seen: string[] = [];
    const open = (name: string): void => {
      seen.push(name);
      if (name === 'missing') throw new CommandError('Cannot open network namespace "missing": No such file or directory', 255);
    };
    expect(parseGlobalOptions(['-n', 'blue', 'link'], open).options.netns).toBe('blue');
    expect(() => parseGlobalOptions(['-n', 'missing', '-x', 'link'], open)).toThrow('Cannot open network namespace "missing"');
    expect(seen).toEqual(['blue', 'missing']);
  });

  // ip.c drops one of two leading dashes before it matches or reports an
  // option: `ip --foo link` says 'Option "-foo" is unknown, try "ip -help".'
  // (iproute2 6.1).
  it('names an unknown --option as ip does, with one dash', () => {
    expect(refusal(['--foo', 'link']).message).toBe('Option "-foo" is unknown, try "ip -help".');
  });
});

describe('findObject', () => {
  // ip.c's cmds[] order: a prefix names the first object it fits.
  it.each([
    ['a', 'address'],
    ['addr', 'address'],
    ['r', 'route'],
    ['ru', 'rule'],
    ['n', 'neighbor'],
    ['neighbour', 'neighbour'],
    ['l', 'link'],
    ['m', 'maddress'],
    ['mo', 'monitor'],
    ['t', 'tunnel'],
    ['tunt', 'tuntap'],
    ['ta', 'tap'],
    ['netn', 'netns'],
    ['h', 'help'],
    ['s', 'sr'],
  ])('takes %j as %j', (word, name) => {
    expect(findObject(word)?.name).toBe(name);
  });

  it('knows the objects nlkit runs, and those of ip it does not', () => {
    expect(findObject('link')?.run).toBeTypeOf('function');
    expect(findObject('ila')?.run).toBeUndefined();
    expect(findObject('bogus')).toBeUndefined();
    expect(findObject('')).toBeUndefined();
  });
});

describe('kernelErrorText', () => {
  it('prints the extended-ack message as "Error: MESSAGE." (one final period)', () => {
    expect(kernelErrorText(new NetlinkError(22, { extAck: { message: 'Invalid prefix for given prefix length' } }))).toBe('Error: Invalid prefix for given prefix length.\n');
    expect(kernelErrorText(new NetlinkError(19, { extAck: { message: 'Nexthop device is not up.' } }))).toBe('Error: Nexthop device is not up.\n');
  });

  it('prints strerror after "RTNETLINK answers:" when the kernel gave no message', () => {
    expect(kernelErrorText(new NetlinkError(17))).toBe('RTNETLINK answers: File exists\n');
    expect(kernelErrorText(new NetlinkError(1, { extAck: { offset: 20 } }))).toBe('RTNETLINK answers: Operation not permitted\n');
    expect(kernelErrorText(new NetlinkError(2, { extAck: { message: '' } }))).toBe('RTNETLINK answers: No such file or directory\n');
    expect(kernelErrorText(new NetlinkError(19))).toBe('RTNETLINK answers: No such device\n');
    expect(kernelErrorText(new NetlinkError(3))).toBe('RTNETLINK answers: No such process\n');
  });
});
