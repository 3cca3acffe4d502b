import { BlockList } from 'node:net';
import { budgetAddress } from './budget-address';

describe('budgetAddress: the part of a client address its rate-limit budgets are keyed by', () => {
  it('keeps an IPv4 address whole', () => {
    expect(budgetAddress('192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, in either spelling', () => {
    expect(budgetAddress('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(budgetAddress('::FFFF:c000:207')).toBe('192.0.2.7');
    expect(budgetAddress('0:0:0:0:0:ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it.each([
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:1::2:3', '2001:db8:1:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
  ])('keys IPv6 %s by its /64: %s', (address, expected) => {
    expect(budgetAddress(address)).toBe(expected);
  });

  it("names the /64 that node's own parser puts the address in, and no neighbour", () => {
    for (const address of ['2001:db8:a:b:c:d:e:f', '2001:db8:a:b::', 'fd00::7', '2001:db8:0:ffff::1']) {
      const network = new BlockList();
      network.addSubnet(budgetAddress(address).replace('/64', ''), 64, 'ipv6');
      expect(network.check(address, 'ipv6')).toBe(true);
    }
    const network = new BlockList();
    network.addSubnet(budgetAddress('2001:db8:0:ffff::1').replace('/64', ''), 64, 'ipv6');
    expect(network.check('2001:db8:1:0::1', 'ipv6')).toBe(false);
    expect(network.check('2001:db8:0:fffe::1', 'ipv6')).toBe(false);
  });

  it('passes anything that is not an IP address through unchanged', () => {
    expect(budgetAddress('unknown')).toBe('unknown');
  });
});
