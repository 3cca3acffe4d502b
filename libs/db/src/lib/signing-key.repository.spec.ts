import { createTemporaryDatabase, type TemporaryDatabase } from '@dsts/testing';
import { migrate } from './migrate';
import { createPrismaClient, type PrismaClient } from './prisma-client';
import { createSigningKeyRepository, type NewSigningKey, type SigningKeyRepository } from './signing-key.repository';

const t0 = new Date('2026-12-03T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function newKey(id: string, activatesAt = t0): NewSigningKey {
  return { id, algorithm: 'RS512', publicJwk: { kty: 'RSA', kid: id }, encryptedPrivateKey: Buffer.from(`sealed-${id}`), createdAt: t0, activatesAt };
}

/** Own database: the key table's single-primary rule is global, so tests must not share it. */
describe('signing key repository (real Postgres)', () => {
  let database: TemporaryDatabase;
  let prisma: PrismaClient;
  let keys: SigningKeyRepository;

  beforeEach(async () => {
    database = await createTemporaryDatabase('dsts_keys');
    await migrate({ databaseUrl: database.url });
    prisma = createPrismaClient({ databaseUrl: database.url });
    keys = createSigningKeyRepository(prisma);
  });
  afterEach(async () => {
    await prisma.$disconnect();
    await database.drop();
  });

  it('lets exactly one of many concurrent first keys become primary', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => keys.insertPrimaryIfAbsent(newKey(`kid-${i}`))));

    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await keys.listPublished(t0);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: `kid-${results.indexOf(true)}`, isPrimary: true, retiredAt: null, expiresAt: null });
    expect(stored[0].encryptedPrivateKey.toString()).toBe(`sealed-kid-${results.indexOf(true)}`);
  });

  it('keeps one pending successor however many replicas rotate at once', async () => {
    await keys.insertPrimaryIfAbsent(newKey('primary'));
    const results = await Promise.all(['a', 'b', 'c'].map((id) => keys.insertPendingIfAbsent(newKey(id, at(600)))));

    expect(results.filter(Boolean)).toHaveLength(1);
    const published = await keys.listPublished(t0);
    expect(published.map((k) => k.isPrimary)).toEqual([false, true]);
    expect(published[0].activatesAt).toEqual(at(600));
  });

  it('promotes once: the old primary is retired with its expiry, the pending key signs', async () => {
    await keys.insertPrimaryIfAbsent(newKey('old'));
    await keys.insertPendingIfAbsent(newKey('new', at(600)));
    const promotion = { pendingId: 'new', primaryId: 'old', retiredAt: at(600), expiresAt: at(600 + 10_800) };

    const results = await Promise.all([keys.promote(promotion), keys.promote(promotion)]);

    expect(results.sort()).toEqual([false, true]);
    const published = await keys.listPublished(at(601));
    expect(published.find((k) => k.id === 'new')).toMatchObject({ isPrimary: true });
    expect(published.find((k) => k.id === 'old')).toMatchObject({ isPrimary: false, retiredAt: at(600), expiresAt: at(11_400) });
    // A new successor may be pending again once the previous one signs.
    expect(await keys.insertPendingIfAbsent(newKey('next', at(1200)))).toBe(true);
  });

  it('stops publishing a retired key once its last token has expired', async () => {
    await keys.insertPrimaryIfAbsent(newKey('old'));
    await keys.insertPendingIfAbsent(newKey('new'));
    await keys.promote({ pendingId: 'new', primaryId: 'old', retiredAt: t0, expiresAt: at(100) });

    expect((await keys.listPublished(at(99))).map((k) => k.id).sort()).toEqual(['new', 'old']);
    expect((await keys.listPublished(at(100))).map((k) => k.id)).toEqual(['new']);
  });
});
