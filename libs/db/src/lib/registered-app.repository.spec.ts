import { randomBytes } from 'node:crypto';
import { createTemporaryDatabase, type TemporaryDatabase } from '@dsts/testing';
import { migrate } from './migrate';
import { createPrismaClient, type PrismaClient } from './prisma-client';
import { createRegisteredAppRepository, type RegisteredAppRepository } from './registered-app.repository';

// A database of its own: synchronise disables every app it does not list, the other spec files' too.
describe('registered app repository (real Postgres)', () => {
  let database: TemporaryDatabase;
  let prisma: PrismaClient;
  let apps: RegisteredAppRepository;
  const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_apps');
    await migrate({ databaseUrl: database.url });
    prisma = createPrismaClient({ databaseUrl: database.url });
    apps = createRegisteredAppRepository(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('upserts the listed apps and disables the ones no longer listed', async () => {
    const [reporting, billing] = [id('reporting'), id('billing')];
    await apps.synchronise([
      { id: reporting, name: 'Reporting', isEnabled: true, publicKey: 'PEM-1' },
      { id: billing, name: 'Billing', isEnabled: true, publicKey: 'PEM-2' },
    ]);

    await apps.synchronise([{ id: reporting, name: 'Reporting v2', isEnabled: true, publicKey: 'PEM-3' }]);

    expect(await apps.find(reporting)).toMatchObject({ name: 'Reporting v2', isEnabled: true, publicKey: 'PEM-3' });
    expect(await apps.find(billing)).toMatchObject({ name: 'Billing', isEnabled: false });
    expect(await apps.find(id('unknown'))).toBeNull();
  });

  it('is safe when several services synchronise the same new apps at once (both services sync APPS_FILE at start)', async () => {
    const listed = Array.from({ length: 20 }, (_, i) => ({ id: id(`app${i}`), name: `App ${i}`, isEnabled: true, publicKey: `PEM-${i}` }));

    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => apps.synchronise(listed)));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(6).fill('fulfilled'));
    for (const app of listed) expect(await apps.find(app.id)).toMatchObject({ name: app.name, isEnabled: true });
  });
});
