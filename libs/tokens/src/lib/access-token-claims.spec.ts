import { accessTokenClaims } from './access-token-claims';

const now = new Date('2026-12-03T10:00:00.900Z');
const iat = 1_796_292_000;

describe('accessTokenClaims', () => {
  it('builds a one-hour device token with tenant and management service', () => {
    const claims = accessTokenClaims(
      { typ: 'device', deviceId: 'd1', tenantId: 't1', managementService: 'hpconnect' },
      'HP Device Token Service',
      now,
    );
    expect(claims).toEqual({
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: 'HP Device Token Service',
      sub: 'd1',
      iat,
      nbf: iat,
      exp: iat + 3600,
      typ: 'device',
      tid: 't1',
      ms: 'hpconnect',
    });
  });

  it('omits ms for unmanaged devices', () => {
    const claims = accessTokenClaims({ typ: 'device', deviceId: 'd1', tenantId: 't1', managementService: 'none' }, 'iss', now);
    expect(claims).not.toHaveProperty('ms');
  });

  it('builds a three-hour app token without tenant', () => {
    const claims = accessTokenClaims({ typ: 'app', appId: 'reporting' }, 'iss', now);
    expect(claims).toMatchObject({ sub: 'reporting', typ: 'app', exp: iat + 10_800 });
    expect(claims).not.toHaveProperty('tid');
  });

  it('gives every token a fresh jti', () => {
    const a = accessTokenClaims({ typ: 'app', appId: 'x' }, 'iss', now);
    const b = accessTokenClaims({ typ: 'app', appId: 'x' }, 'iss', now);
    expect(a.jti).not.toBe(b.jti);
  });
});
