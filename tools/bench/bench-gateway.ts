import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeviceCache, createRedisCache } from '@dsts/cache';
import { loadConfig } from '@dsts/config';
import { createDeviceRepository, createPrismaClient, createSigningKeyRepository, migrate } from '@dsts/db';
import { openPrivateKey, type SigningKeyStore } from '@dsts/keys';
import { createLogger, createMetrics } from '@dsts/observability';
import { createTemporaryDatabase, createTestCa, testRedisUrl, uniqueRunId } from '@dsts/testing';
import { type CachedDevice, createDeviceAuthenticator, createDeviceLookup, createTokenIssuer, startTokenServices } from '@dsts/tokens';
import { createAuthServices } from '../../apps/auth-gateway/src/app/auth-services';
import { createApp } from '../../apps/auth-gateway/src/app/create-app';
import { registerDevice } from '../../apps/auth-gateway/test/client-flows';
import { deleteRedisKeys } from '../jest/global-teardown';
import { createNodeJoseSigner } from './node-jose-signer';

export type SignerName = 'node:crypto' | 'node-jose';

/** What flow-client.mjs needs to act as one registered device. */
export interface BenchDevice {
  deviceId: string;
  certificateDerBase64: string;
  privateKeyPem: string;
}

export interface BenchGateway {
  baseUrl: string;
  devices: BenchDevice[];
  /** The primary signing key, which both signers use. */
  signingKey: KeyObject;
  signers: Record<SignerName, Pick<SigningKeyStore, 'signJwt'>>;
  /** Token signing from now on: the key store's node:crypto `signJwt`, or node-jose with the same key. */
  useSigner(name: SignerName): void;
  close(): Promise<void>;
}

/**
 * The auth gateway in this process on a loopback port, wired like main.ts
 * (default RS512/4096 key, rate limit off) against a throwaway database and
 * Redis prefix, except that the device flow's token issuer signs through a
 * switch between two signers, so both are measured on one warm process.
 */
export async function startBenchGateway(deviceCount: number): Promise<BenchGateway> {
  const database = await createTemporaryDatabase('dsts_bench');
  const encryptionKey = randomBytes(32);
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl,
    REDIS_KEY_PREFIX: `dsts_bench:${uniqueRunId()}:`,
    SIGNING_KEY_ENCRYPTION_KEY: encryptionKey.toString('base64'),
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
  });
  await migrate({ databaseUrl: database.url });
  const prisma = createPrismaClient({ databaseUrl: database.url, poolMax: config.database.poolMax });
  const cache = createRedisCache({ url: config.redis.url, keyPrefix: config.redis.keyPrefix });
  const release = async () => {
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
    await Promise.allSettled([database.drop(), deleteRedisKeys(config.redis.keyPrefix)]);
  };
  try {
    const logger = createLogger({ service: 'bench', level: 'silent' });
    const clock = () => new Date();
    const metrics = createMetrics('bench');
    const services = createAuthServices({ config, prisma, cache, logger, metrics, encryptionKey, clock });
    await startTokenServices(services, { config, logger });

    const primary = (await createSigningKeyRepository(prisma).listPublished(clock())).find((key) => key.isPrimary);
    if (!primary) throw new Error('no primary signing key after start');
    const signingKey = createPrivateKey({ key: openPrivateKey(primary.encryptedPrivateKey, encryptionKey, primary.id), format: 'der', type: 'pkcs8' });
    const signers: Record<SignerName, Pick<SigningKeyStore, 'signJwt'>> = {
      'node:crypto': services.keys,
      'node-jose': await createNodeJoseSigner(signingKey, primary.id, primary.algorithm),
    };
    let signer = signers['node:crypto'];
    // Same wiring as createAuthServices' device authenticator, with the switchable issuer.
    const repository = createDeviceRepository(prisma);
    const devices = createDeviceAuthenticator({
      challenges: services.challenges,
      devices: createDeviceLookup({ cache: createDeviceCache<CachedDevice>(cache, config.devices.cacheTtlSeconds), repository }),
      repository,
      tokens: createTokenIssuer({ keys: { signJwt: (claims) => signer.signJwt(claims) }, issuer: config.tokens.issuer, clock }),
      allowEcP256: config.devices.allowEcP256,
      clock,
    });

    const ca = await createTestCa();
    const benchDevices = await Promise.all(
      Array.from({ length: deviceCount }, async (_, i) => {
        const device = await ca.issueDevice({ deviceId: `bench-${i}`, tenantId: 'bench-tenant' });
        await registerDevice(prisma, device);
        return {
          deviceId: device.deviceId,
          certificateDerBase64: device.certificateDer.toString('base64'),
          privateKeyPem: device.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        };
      }),
    );
    const app = createApp({ config, logger, metrics, prisma, cache, ...services, devices });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      devices: benchDevices,
      signingKey,
      signers,
      useSigner: (name) => {
        signer = signers[name];
      },
      close: async () => {
        await new Promise((resolve) => server.close(resolve));
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
