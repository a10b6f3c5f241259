/**
 * Which IP addresses a server-side fetch of an attacker-chosen URL may connect to
 * (docs/security.md, case 48: block private IP ranges). Only globally routable unicast passes:
 * loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, reserved and
 * documentation ranges are refused, and so is the cloud metadata endpoint. IPv6 forms that
 * embed an IPv4 address (mapped, NAT64, 6to4) are judged by the IPv4 address inside, so
 * `::ffff:127.0.0.1` is loopback.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type AddressClass =
  | 'public'
  | 'metadata'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'documentation'
  | 'invalid';

interface Range {
  readonly base: bigint;
  readonly prefix: number;
  readonly class: Exclude<AddressClass, 'public' | 'invalid'>;
}

// Order matters: the first matching range names the class (the metadata /32 before link-local).
const IPV4_RANGES: readonly Range[] = [
  v4('169.254.169.254', 32, 'metadata'),
  v4('0.0.0.0', 8, 'unspecified'),
  v4('10.0.0.0', 8, 'private'),
  v4('100.64.0.0', 10, 'cgnat'),
  v4('127.0.0.0', 8, 'loopback'),
  v4('169.254.0.0', 16, 'link-local'),
  v4('172.16.0.0', 12, 'private'),
  v4('192.0.0.0', 24, 'reserved'),
  v4('192.0.2.0', 24, 'documentation'),
  v4('192.88.99.0', 24, 'reserved'),
  v4('192.168.0.0', 16, 'private'),
  v4('198.18.0.0', 15, 'reserved'),
  v4('198.51.100.0', 24, 'documentation'),
  v4('203.0.113.0', 24, 'documentation'),
  v4('224.0.0.0', 4, 'multicast'),
  v4('240.0.0.0', 4, 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('fd00:ec2::254', 128, 'metadata'),
  v6('::', 128, 'unspecified'),
  v6('::1', 128, 'loopback'),
  v6('fc00::', 7, 'unique-local'),
  v6('fe80::', 10, 'link-local'),
  v6('fec0::', 10, 'link-local'),
  v6('ff00::', 8, 'multicast'),
  v6('2001:db8::', 32, 'documentation'),
  v6('3fff::', 20, 'documentation'),
  // IETF protocol assignments: Teredo, benchmarking, ORCHID...
  v6('2001::', 23, 'reserved'),
];

const IPV4_MAPPED = parseIPv6('::ffff:0:0');
const NAT64 = parseIPv6('64:ff9b::');
const SIX_TO_FOUR = parseIPv6('2002::');
const GLOBAL_UNICAST = parseIPv6('2000::');

/** Classifies a textual IPv4 or IPv6 address (no brackets, no zone id). */
export function classifyIpAddress(address: string): AddressClass {
  if (isIPv4(address)) return classifyV4(parseIPv4(address));
  if (isIPv6(address) && !address.includes('%')) return classifyV6(parseIPv6(address));
  return 'invalid';
}

function classifyV4(value: bigint): AddressClass {
  return IPV4_RANGES.find((r) => inRange(value, r, 32))?.class ?? 'public';
}

function classifyV6(value: bigint): AddressClass {
  if (inPrefix(value, IPV4_MAPPED, 96, 128)) return classifyV4(value & 0xffffffffn);
  if (inPrefix(value, NAT64, 96, 128)) return classifyV4(value & 0xffffffffn);
  if (inPrefix(value, SIX_TO_FOUR, 16, 128)) return classifyV4((value >> 80n) & 0xffffffffn);
  const named = IPV6_RANGES.find((r) => inRange(value, r, 128))?.class;
  if (named) return named;
  // Everything outside 2000::/3 is unassigned or special (IPv4-compatible ::/96, discard 100::/64...).
  return inPrefix(value, GLOBAL_UNICAST, 3, 128) ? 'public' : 'reserved';
}

function inRange(value: bigint, range: Range, bits: 32 | 128): boolean {
  return inPrefix(value, range.base, range.prefix, bits);
}

function inPrefix(value: bigint, base: bigint, prefix: number, bits: number): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

function v4(address: string, prefix: number, cls: Range['class']): Range {
  return { base: parseIPv4(address), prefix, class: cls };
}

function v6(address: string, prefix: number, cls: Range['class']): Range {
  return { base: parseIPv6(address), prefix, class: cls };
}

function parseIPv4(address: string): bigint {
  return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Expects an address that net.isIPv6 accepted: handles `::` compression and a dotted IPv4 tail. */
function parseIPv6(address: string): bigint {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v = parseIPv4(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group || '0', 16)), 0n);
}
