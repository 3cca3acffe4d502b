/**
 * Starts a signing-key rotation (SPEC §5): the successor is published at once
 * and signs after SIGNING_KEY_ACTIVATION_DELAY_SECONDS; running replicas pick
 * it up by themselves. Reads the same environment as the services.
 *
 *   npx nx run keys:rotate
 */
import { ConfigError, loadConfig, signingKeyEncryptionKey } from '@dsts/config';
import { createPrismaClient } from '@dsts/db';
import { createConfiguredSigningKeyStore } from '@dsts/tokens';

async function main(): Promise<void> {
  const config = loadConfig();
  const prisma = createPrismaClient({ databaseUrl: config.database.url });
  try {
    const keys = createConfiguredSigningKeyStore({
      config,
      prisma,
      encryptionKey: signingKeyEncryptionKey(config),
      clock: () => new Date(),
    });
    const current = await keys.ensurePrimaryKey();
    const { kid, activatesAt } = await keys.rotate();
    console.log(`signing key ${current} stays primary until ${activatesAt.toISOString()}; successor ${kid} is published now`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `rotation failed: ${(error as Error).message}`);
  process.exit(1);
});
