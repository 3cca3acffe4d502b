import { randomBytes } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from './prisma-client';
import { createRegisteredAppRepository, type RegisteredAppRepository } from './registered-app.repository';

describe('registered app repository (real Postgres)', () => {
  let prisma: PrismaClient;
  let apps: RegisteredAppRepository;
  const id = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

  beforeAll(() => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string });
    apps = createRegisteredAppRepository(prisma);
  });
  afterAll(() => prisma.$disconnect());

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
});
