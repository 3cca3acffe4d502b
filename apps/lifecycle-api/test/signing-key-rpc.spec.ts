import { status as GrpcStatus } from '@grpc/grpc-js';
import { loadConfig } from '@dsts/config';
import { createPrismaClient, migrate, type PrismaClient } from '@dsts/db';
import type { PublicJwk } from '@dsts/keys';
import { createTemporaryDatabase, type TemporaryDatabase, testEncryptionKey } from '@dsts/testing';
import { createConfiguredSigningKeyStore } from '@dsts/tokens';
import { type RunningLifecycleApi, startLifecycleApi } from './lifecycle-api.harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The key store the auth-gateway builds, on the given database: its
 * `publishedJwks()` is exactly the REST JWKS body's `keys`.
 */
function gatewayKeyStore(prisma: PrismaClient, databaseUrl: string, algorithm = 'RS512') {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SIGNING_KEY_ENCRYPTION_KEY: testEncryptionKey(),
    SIGNING_KEY_ALGORITHM: algorithm,
    SIGNING_KEY_RSA_BITS: '2048',
  });
  return createConfiguredSigningKeyStore({ config, prisma, encryptionKey: Buffer.from(testEncryptionKey(), 'base64'), clock: () => new Date() });
}
/** What the REST route sends: the JWKS as JSON. */
const asRestJson = (keys: PublicJwk[]) => JSON.parse(JSON.stringify(keys)) as PublicJwk[];

describe('GetSigningKey (real gRPC, Postgres)', () => {
  let api: RunningLifecycleApi;

  beforeAll(async () => {
    api = await startLifecycleApi();
  });
  afterAll(() => api.close());

  it('answers without a request header: OK, a fresh request id, exactly the keys of the REST JWKS', async () => {
    const response = await api.call('getSigningKey', {});
    const rest = asRestJson(await gatewayKeyStore(api.prisma, api.config.database.url).publishedJwks());

    expect(response.header).toMatchObject({ protocolVersion: 'v1', status: GrpcStatus.OK, statusMessage: 'OK' });
    expect(response.header?.requestId).toMatch(UUID);
    expect(rest).toHaveLength(1);
    expect(response.signingKey).toEqual(rest);
    expect(response.signingKey[0]).toEqual({
      kty: 'RSA',
      alg: 'RS512',
      use: 'sig',
      kid: expect.stringMatching(/^[0-9a-f]{64}$/),
      n: expect.stringMatching(/^[A-Za-z0-9_-]{342}$/),
      e: 'AQAB',
    });
  });
});

describe.each([
  ['ES256', 'EC'],
  ['EdDSA', 'OKP'],
])('GetSigningKey with a %s key published (database of its own)', (algorithm, kty) => {
  let database: TemporaryDatabase;
  let prisma: PrismaClient;
  let api: RunningLifecycleApi;

  beforeAll(async () => {
    database = await createTemporaryDatabase(`dsts_${kty.toLowerCase()}keys`);
    await migrate({ databaseUrl: database.url });
    prisma = createPrismaClient({ databaseUrl: database.url });
    // A non-RSA primary (SIGNING_KEY_ALGORITHM) with an RS256 successor rotated in.
    await gatewayKeyStore(prisma, database.url, algorithm).ensurePrimaryKey();
    await gatewayKeyStore(prisma, database.url, 'RS256').rotate();
    api = await startLifecycleApi({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await api?.close();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it(`leaves the ${kty} key out (the proto has no members for it) and returns the RSA keys unchanged`, async () => {
    const rest = asRestJson(await gatewayKeyStore(prisma, database.url).publishedJwks());
    const response = await api.call('getSigningKey', {});

    expect(rest.map((key) => `${key.kty}/${key.alg}`).sort()).toEqual([`${kty}/${algorithm}`, 'RSA/RS256']);
    expect(response.header?.status).toBe(GrpcStatus.OK);
    expect(response.signingKey).toEqual(rest.filter((key) => key.kty === 'RSA'));
  });
});
