import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRedisCache, type Cache } from '@dsts/cache';
import { loadConfig } from '@dsts/config';
import { createPrismaClient, type PrismaClient } from '@dsts/db';
import { signJws, testEncryptionKey } from '@dsts/testing';
import { accessTokenClaims } from './access-token-claims';
import { createTokenIssuer } from './token-issuer';
import { createTokenServices, type TokenServices } from './token-services';

const HOUR = 3_600_000;

describe('app token verifier (our published keys, real Postgres)', () => {
  let prisma: PrismaClient;
  let cache: Cache;
  let services: TokenServices;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const appId = `app-${randomBytes(4).toString('hex')}`;
  const disabledAppId = `${appId}-off`;
  const config = loadConfig({ ...process.env, SIGNING_KEY_ENCRYPTION_KEY: testEncryptionKey(), SIGNING_KEY_RSA_BITS: '2048' });
  const issuedAt = (at: Date, issuer = config.tokens.issuer) =>
    createTokenIssuer({ keys: services.keys, issuer, clock: () => at });

  beforeAll(async () => {
    prisma = createPrismaClient({ databaseUrl: config.database.url });
    cache = createRedisCache({ url: config.redis.url, keyPrefix: config.redis.keyPrefix });
    services = createTokenServices({ config, prisma, cache, encryptionKey: Buffer.from(testEncryptionKey(), 'base64'), clock: () => now });
    await services.keys.ensurePrimaryKey();
    const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await prisma.registeredApp.createMany({
      data: [
        { id: appId, name: 'verifier app', publicKey },
        { id: disabledAppId, name: 'disabled app', publicKey, isEnabled: false },
      ],
    });
  });
  afterAll(async () => {
    await prisma.registeredApp.deleteMany({ where: { id: { in: [appId, disabledAppId] } } });
    await prisma.$disconnect();
    await cache.close();
  });

  const verify = (token: string) => services.appTokens.verify(token);
  const refusal = (token: string) => verify(token).then(
    () => 'accepted',
    (error: { code: string; message: string; reason?: string }) => `${error.code} ${error.reason}: ${error.message}`,
  );

  it('accepts an app token issued here, for its lifetime, and names the app', async () => {
    expect(await verify((await issuedAt(now).issue({ typ: 'app', appId })).accessToken)).toBe(appId);
    expect(await verify((await issuedAt(new Date(now.getTime() - 2.9 * HOUR)).issue({ typ: 'app', appId })).accessToken)).toBe(appId);
  });

  it('refuses an expired app token', async () => {
    const token = (await issuedAt(new Date(now.getTime() - 4 * HOUR)).issue({ typ: 'app', appId })).accessToken;
    expect(await refusal(token)).toBe('ACCESS_TOKEN_INVALID ACCESS_TOKEN_EXPIRED: access token is expired');
  });

  it('refuses a device token signed with the same key', async () => {
    const token = (await issuedAt(now).issue({ typ: 'device', deviceId: appId, tenantId: 't', managementService: 'none' })).accessToken;
    expect(await refusal(token)).toBe('ACCESS_TOKEN_INVALID ACCESS_TOKEN_NOT_APP_TOKEN: access token is not an app token');
  });

  it('refuses our key with another issuer, and another key with our issuer', async () => {
    const otherIssuer = (await issuedAt(now, 'Some Other STS').issue({ typ: 'app', appId })).accessToken;
    expect(await refusal(otherIssuer)).toBe('ACCESS_TOKEN_INVALID ACCESS_TOKEN_WRONG_ISSUER: access token has an invalid iss claim');

    const [published] = await services.keys.publishedJwks();
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const claims = accessTokenClaims({ typ: 'app', appId }, config.tokens.issuer, now) as unknown as Record<string, unknown>;
    // Same kid as our key, signed by someone else: the signature fails; an unknown kid finds no key.
    expect(await refusal(signJws({ alg: published.alg, kid: published.kid, typ: 'JWT' }, claims, foreignKey))).toBe(
      'ACCESS_TOKEN_INVALID ACCESS_TOKEN_BAD_SIGNATURE: access token signature does not verify',
    );
    expect(await refusal(signJws({ alg: 'RS512', kid: 'elsewhere', typ: 'JWT' }, claims, foreignKey))).toBe(
      'ACCESS_TOKEN_INVALID ACCESS_TOKEN_UNKNOWN_KEY: access token is not signed by a published key',
    );
    expect(await refusal(signJws({ alg: 'HS256', kid: published.kid, typ: 'JWT' }, claims, Buffer.from(published.n ?? 'k')))).toMatch(
      /^ACCESS_TOKEN_INVALID ACCESS_TOKEN_(ALGORITHM_REFUSED: access token algorithm is not allowed|UNKNOWN_KEY: access token is not signed by a published key)$/,
    );
    expect(await refusal(signJws({ alg: 'none', typ: 'JWT' }, claims, Buffer.alloc(0)))).toMatch(/^ACCESS_TOKEN_INVALID ACCESS_TOKEN_\w+: /);
  });

  it('refuses tokens of apps that are unknown or disabled now, and garbage', async () => {
    // One message for the log either way; the reason code tells them apart for the audit trail.
    expect(await refusal((await issuedAt(now).issue({ typ: 'app', appId: disabledAppId })).accessToken)).toBe(
      'ACCESS_TOKEN_INVALID APP_DISABLED: access token names an app that is unknown or disabled',
    );
    expect(await refusal((await issuedAt(now).issue({ typ: 'app', appId: `${appId}-never` })).accessToken)).toBe(
      'ACCESS_TOKEN_INVALID APP_NOT_FOUND: access token names an app that is unknown or disabled',
    );
    expect(await refusal('not.a.jwt')).toBe('ACCESS_TOKEN_INVALID ACCESS_TOKEN_MALFORMED: access token is malformed');
  });
});
