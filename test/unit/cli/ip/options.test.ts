// Global options of the ip-style command (parseGlobalOptions in
// src/cli/ip/index.ts), read as ip/ip.c reads them: by prefix, with one or
// two leading dashes, counted where ip counts them, up to the object word or
// `--`; and kernelErrorText, ip's rendering of a kernel refusal.
import { describe, expect, it } from 'vitest';
import { CommandError, type IpOptions } from '../../../../src/cli/ip/context.js';
import { kernelErrorText, parseGlobalOptions } from '../../../../src/cli/ip/index.js';
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
    { argv: ['-n', 'blue', '-j', '-p', '-d', '-s', '-s', '-4', 'addr', 'show', '-j'], options: { netns: 'blue', json: true, pretty: true, details: 1, stats: 2, family: AF_INET }, at: 8 },
    { argv: ['--', '-j', 'link'], options: {}, at: 1 },
    { argv: ['-j', '--', 'link'], options: { json: true }, at: 2 },
    { argv: ['-', 'link'], options: {}, at: 0 },
    { argv: ['link', '-j'], options: {}, at: 0 },
  ];

  it.each(CASES)('reads $argv', ({ argv, options, at }) => {
    expect(parseGlobalOptions(argv)).toEqual({ options: { ...DEFAULTS, ...options }, at });
  });

  const REFUSALS = [
    { argv: ['-x', 'link'], message: 'Option "-x" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-jsonx', 'link'], message: 'Option "-jsonx" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-J', 'link'], message: 'Option "-J" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-j', '-x'], message: 'Option "-x" is unknown, try "ip -help".', exitCode: 255 },
    // ip.c matches -batch before -brief: "-b" is -batch, which nlkit does not have.
    { argv: ['-b', 'link'], message: 'Option "-b" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-ba', 'file', 'link'], message: 'Option "-ba" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['--batch', 'file'], message: 'Option "-batch" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-brieff', 'link'], message: 'Option "-brieff" is unknown, try "ip -help".', exitCode: 255 },
    { argv: ['-f', 'ipx', 'link'], message: 'Error: argument "ipx" is wrong: invalid protocol family', exitCode: 255 },
    { argv: ['-f'], message: 'Command line is not complete. Try option "help"', exitCode: 255 },
    { argv: ['-n'], message: 'Command line is not complete. Try option "help"', exitCode: 255 },
    { argv: ['-n', '', 'link'], message: 'Invalid netns name ""', exitCode: 255 },
    { argv: ['-n', 'a/b', 'link'], message: 'Invalid netns name "a/b"', exitCode: 255 },
    { argv: ['-n', '../../proc/1/ns/net', 'link'], message: 'Invalid netns name "../../proc/1/ns/net"', exitCode: 255 },
    { argv: ['-n', '.', 'link'], message: 'Invalid netns name "."', exitCode: 255 },
    { argv: ['-n', '..', 'link'], message: 'Invalid netns name ".."', exitCode: 255 },
  ] as const;

  it.each(REFUSALS)('refuses $argv', ({ argv, message, exitCode }) => {
    expect(refusal([...argv])).toEqual({ message, exitCode });
  });

  it('answers -help and --help with the usage text and exit status 0', () => {
    for (const argv of [['-help'], ['--help', 'link'], ['-he']]) {
      const { message, exitCode } = refusal(argv);
      expect(exitCode).toBe(0);
      expect(message.split('\n')[0]).toBe('Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }');
      expect(message).toContain('-n[etns] name | -j[son] | -p[retty] | -o[neline]');
      expect(message).toContain('-br[ief]');
      expect(message).toContain('| tap | tuntap }');
    }
  });

  it('answers -f help with the usage text and exit status 255', () => {
    const { message, exitCode } = refusal(['-f', 'help']);
    expect(exitCode).toBe(255);
    expect(message.split('\n')[0]).toBe('Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }');
  });

  // ip.c drops one of two leading dashes before it matches or reports an
  // option: `ip --foo link` says 'Option "-foo" is unknown, try "ip -help".'
  // (iproute2 6.1).
  it('names an unknown --option as ip does, with one dash', () => {
    expect(refusal(['--foo', 'link']).message).toBe('Option "-foo" is unknown, try "ip -help".');
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
