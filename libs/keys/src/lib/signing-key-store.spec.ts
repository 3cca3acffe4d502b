import { createHash, createPrivateKey, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createPrismaClient, createSigningKeyRepository, migrate, type PrismaClient } from '@dsts/db';
import { createTemporaryDatabase, decodeJws, type TemporaryDatabase, verifyWithJwks } from '@dsts/testing';
import { openPrivateKey } from './envelope';
import { rsaKeyId } from './key-id';
import { createSigningKeyStore, type PublicJwk, type SigningKeyStore, type SigningKeyStoreDeps } from './signing-key-store';

const t0 = new Date('2026-12-03T10:00:00.000Z');
const HOUR = 3_600;

/** Each test gets its own database: "at most one primary" is a table-wide rule. */
describe('signing key store (real Postgres)', () => {
  let database: TemporaryDatabase;
  let prisma: PrismaClient;
  let now: Date;
  const kek = randomBytes(32);
  const advance = (seconds: number) => {
    now = new Date(now.getTime() + seconds * 1000);
  };

  function store(overrides: Partial<SigningKeyStoreDeps> = {}): SigningKeyStore {
    return createSigningKeyStore({
      repository: createSigningKeyRepository(prisma),
      encryptionKey: kek,
      algorithm: 'RS512',
      rsaBits: 2048,
      activationDelaySeconds: HOUR,
      rotationDays: 0,
      refreshSeconds: 30,
      maxTokenLifetimeSeconds: 3 * HOUR,
      clock: () => now,
      ...overrides,
    });
  }

  const jwks = async (keys: SigningKeyStore) => ({ keys: await keys.publishedJwks() });

  beforeEach(async () => {
    now = t0;
    database = await createTemporaryDatabase('dsts_keystore');
    await migrate({ databaseUrl: database.url });
    prisma = createPrismaClient({ databaseUrl: database.url });
  });
  afterEach(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('creates exactly one primary key when many replicas start at once', async () => {
    const replicas = Array.from({ length: 6 }, () => store());

    const kids = await Promise.all(replicas.map((replica) => replica.ensurePrimaryKey()));

    expect(new Set(kids).size).toBe(1);
    expect(await prisma.signingKey.count()).toBe(1);
    expect(await prisma.signingKey.count({ where: { isPrimary: true } })).toBe(1);
    const tokens = await Promise.all(replicas.map((replica) => replica.signJwt({ sub: 'x' })));
    for (const token of tokens) expect(decodeJws(token).header['kid']).toBe(kids[0]);
  });

  it('defaults to RSA-4096 RS512 and publishes n/e as unpadded base64url without leading zeros', async () => {
    const keys = store({ rsaBits: 4096 });
    const kid = await keys.ensurePrimaryKey();

    const [jwk] = await keys.publishedJwks();

    expect(Object.keys(jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS512', use: 'sig', kid, e: 'AQAB' });
    expect(jwk.n).toMatch(/^[A-Za-z0-9_-]+$/);
    const modulus = Buffer.from(jwk.n, 'base64url');
    expect(modulus).toHaveLength(512);
    expect(modulus[0]).not.toBe(0);
    expect(Buffer.from(modulus.toString('base64url'), 'base64url').toString('base64url')).toBe(jwk.n);
    expect(kid).toBe(rsaKeyId(createPublicKey({ key: jwk, format: 'jwk' })));
  });

  it('signs tokens that verify with the JWKS alone', async () => {
    const keys = store();
    const kid = await keys.ensurePrimaryKey();

    const token = await keys.signJwt({ sub: 'device-1', typ: 'device' });

    expect(verifyWithJwks(token, await jwks(keys))).toEqual({
      header: { alg: 'RS512', kid, typ: 'JWT' },
      claims: { sub: 'device-1', typ: 'device' },
    });
  });

  it.each(['PS256', 'ES256'] as const)('signs with %s when configured', async (algorithm) => {
    const keys = store({ algorithm });
    await keys.ensurePrimaryKey();

    const token = await keys.signJwt({ sub: 'x' });

    expect(verifyWithJwks(token, await jwks(keys)).header['alg']).toBe(algorithm);
    expect((await keys.publishedJwks())[0]).toMatchObject({ kty: algorithm === 'ES256' ? 'EC' : 'RSA', alg: algorithm, use: 'sig' });
  });

  describe('EdDSA (Ed25519)', () => {
    it('publishes an OKP JWK whose kid is the hex SHA-256 of its SPKI DER', async () => {
      const keys = store({ algorithm: 'EdDSA' });
      const kid = await keys.ensurePrimaryKey();

      const [jwk, ...others] = await keys.publishedJwks();

      expect(others).toEqual([]);
      expect(jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), alg: 'EdDSA', use: 'sig', kid });
      expect(Buffer.from(jwk.x, 'base64url')).toHaveLength(32);
      const spki = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
      expect(kid).toBe(createHash('sha256').update(spki).digest('hex'));
    });

    it('signs a JWT (header alg EdDSA, kid) that verifies with only the published JWK', async () => {
      const keys = store({ algorithm: 'EdDSA' });
      const kid = await keys.ensurePrimaryKey();
      const published = await keys.publishedJwks();

      const token = await keys.signJwt({ sub: 'device-1', typ: 'device' });

      const [header, claims, signature] = token.split('.');
      expect(decodeJws(token)).toEqual({ header: { alg: 'EdDSA', kid, typ: 'JWT' }, claims: { sub: 'device-1', typ: 'device' } });
      expect(Buffer.from(signature, 'base64url')).toHaveLength(64);
      const jwk = published.find((key) => key.kid === kid);
      const publicKey = createPublicKey({ key: jwk as PublicJwk, format: 'jwk' });
      expect(verify(null, Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
      expect(verify(null, Buffer.from(`${header}.${claims}x`), publicKey, Buffer.from(signature, 'base64url'))).toBe(false);
    });

    it('stores the private key envelope-encrypted, never the raw PKCS#8', async () => {
      const kid = await store({ algorithm: 'EdDSA' }).ensurePrimaryKey();
      const row = await prisma.signingKey.findUniqueOrThrow({ where: { id: kid } });
      const stored = Buffer.from(row.encryptedPrivateKey);

      const pkcs8 = openPrivateKey(stored, kek, kid);

      const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      expect(privateKey.asymmetricKeyType).toBe('ed25519');
      const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
      for (const secret of [pkcs8, seed]) {
        expect(stored.includes(secret)).toBe(false);
        expect(stored.toString('utf8')).not.toContain(secret.toString('base64'));
      }
      expect(row.algorithm).toBe('EdDSA');
    });

    it('rotates from RS512 to EdDSA with both keys published and each token verifying', async () => {
      const rsa = store();
      const oldKid = await rsa.ensurePrimaryKey();
      const oldToken = await rsa.signJwt({ n: 1 });
      const ed = store({ algorithm: 'EdDSA' });

      const { kid: newKid } = await ed.rotate();
      advance(HOUR);
      const newToken = await ed.signJwt({ n: 2 });

      expect((await ed.publishedJwks()).map((k) => `${k.kty}/${k.alg}/${k.kid}`).sort()).toEqual(
        [`RSA/RS512/${oldKid}`, `OKP/EdDSA/${newKid}`].sort(),
      );
      expect(verifyWithJwks(oldToken, await jwks(ed)).header).toEqual({ alg: 'RS512', kid: oldKid, typ: 'JWT' });
      expect(verifyWithJwks(newToken, await jwks(rsa)).header).toEqual({ alg: 'EdDSA', kid: newKid, typ: 'JWT' });
    });
  });

  it('keeps private keys encrypted at rest and refuses to start with a wrong key-encryption key', async () => {
    const kid = await store().ensurePrimaryKey();
    const row = await prisma.signingKey.findUniqueOrThrow({ where: { id: kid } });

    expect(Buffer.from(row.encryptedPrivateKey).toString('utf8')).not.toMatch(/PRIVATE KEY|MII/);
    await expect(store({ encryptionKey: randomBytes(32) }).ensurePrimaryKey()).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/cannot be decrypted/),
    });
  });

  it('rotates: the successor is published first, signs after the delay, and the old key stays until its tokens expire', async () => {
    const keys = store();
    const otherReplica = store();
    const oldKid = await keys.ensurePrimaryKey();
    const oldToken = await keys.signJwt({ n: 1 });

    const { kid: newKid, activatesAt } = await keys.rotate();

    expect(activatesAt).toEqual(new Date(t0.getTime() + HOUR * 1000));
    expect((await keys.publishedJwks()).map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    expect((await otherReplica.publishedJwks()).map((k) => k.kid)).toContain(newKid);
    expect(decodeJws(await keys.signJwt({ n: 2 })).header['kid']).toBe(oldKid);

    advance(HOUR);
    const newToken = await otherReplica.signJwt({ n: 3 });
    expect(decodeJws(newToken).header['kid']).toBe(newKid);
    advance(30);
    expect(decodeJws(await keys.signJwt({ n: 4 })).header['kid']).toBe(newKid);
    verifyWithJwks(oldToken, await jwks(keys));
    verifyWithJwks(newToken, await jwks(keys));

    // Retired at activation (t0 + 1 h); stale replicas may sign one refresh (30 s) later; tokens live 3 h; 60 s skew.
    advance(3 * HOUR + 59);
    expect((await keys.publishedJwks()).map((k) => k.kid)).toContain(oldKid);
    advance(1);
    expect((await keys.publishedJwks()).map((k) => k.kid)).toEqual([newKid]);
  });

  it('keeps publishing the keys it holds while the key table cannot be read, but signs only with a fresh view', async () => {
    const keys = store();
    const kid = await keys.ensurePrimaryKey();
    const published = await keys.publishedJwks();
    advance(31);

    await database.setConnectable(false);
    try {
      expect(await keys.publishedJwks()).toEqual(published);
      // Signing needs a view younger than the refresh period: another replica may have rotated meanwhile.
      await expect(keys.signJwt({})).rejects.toThrow();
    } finally {
      await database.setConnectable(true);
    }
    expect((await keys.publishedJwks()).map((k) => k.kid)).toEqual([kid]);
  });

  it('returns the pending successor when asked to rotate twice', async () => {
    const keys = store();
    await keys.ensurePrimaryKey();

    const [first, second] = await Promise.all([keys.rotate(), store().rotate()]);

    expect(second.kid).toBe(first.kid);
    expect(await prisma.signingKey.count()).toBe(2);
  });

  it('rotates on schedule when a rotation period is configured', async () => {
    const keys = store({ rotationDays: 1 });
    const oldKid = await keys.ensurePrimaryKey();

    advance(86_400);
    const published = await keys.publishedJwks();

    expect(published).toHaveLength(2);
    expect(decodeJws(await keys.signJwt({})).header['kid']).toBe(oldKid);
  });
});
