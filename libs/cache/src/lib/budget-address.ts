import { isIPv4, isIPv6 } from 'node:net';

/** The two 16-bit groups of a dotted IPv4 address (validated by the caller). */
function ipv4Groups(dotted: string): number[] {
  const [a, b, c, d] = dotted.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

const groupsOf = (part: string): number[] =>
  part === '' ? [] : part.split(':').flatMap((group) => (isIPv4(group) ? ipv4Groups(group) : [parseInt(group, 16)]));

/** The eight 16-bit groups of an IPv6 address that `isIPv6` accepted: `::` and a dotted IPv4 tail expanded. */
function ipv6Groups(address: string): number[] {
  const [head, tail] = address.split('::');
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The part of a client address its rate-limit budgets are keyed by. An IPv6
 * client is counted by its /64: that is the smallest prefix a provider hands
 * a site, and every address in it belongs to whoever holds it, so per full
 * address one attacker would get 2^64 budgets. An IPv4-mapped address
 * (`::ffff:a.b.c.d`, how a dual-stack socket reports IPv4 peers) is its IPv4
 * address, which is kept whole. Anything else (no address known) is kept
 * as it is.
 */
export function budgetAddress(address: string): string {
  const [unzoned] = address.split('%');
  if (!isIPv6(unzoned)) return address;
  const groups = ipv6Groups(unzoned);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
