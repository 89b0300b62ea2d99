import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../shared/domain/notices/public-address.ts';

describe('isPublicAddress', () => {
  it('refuses this host, private, shared, link-local, documentation and multicast addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '198.18.0.1',
      '203.0.113.7',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1%eth0',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:c0a8:101',
      '2001:db8::1',
      'not an address',
      '999.1.1.1',
    ])
      expect([a, isPublicAddress(a)]).toEqual([a, false]);
  });
  it('accepts public addresses', () => {
    for (const a of ['1.1.1.1', '114.114.114.114', '172.32.0.1', '100.128.0.1', '2400:3200::1', '::ffff:8.8.8.8'])
      expect([a, isPublicAddress(a)]).toEqual([a, true]);
  });
});
