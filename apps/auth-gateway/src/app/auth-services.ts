import { type Cache, createChallengeStore, createDeviceCache, createRateLimiter } from '@dsts/cache';
import type { Config } from '@dsts/config';
import { createDeviceRepository, createRegisteredAppRepository, createSigningKeyRepository, type PrismaClient } from '@dsts/db';
import { createSigningKeyStore } from '@dsts/keys';
import type { Logger } from '@dsts/observability';
import {
  type CachedDevice,
  createAppAuthenticator,
  createDeviceAuthenticator,
  createDeviceLookup,
  createTokenIssuer,
  MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
} from '@dsts/tokens';
import type { AuthServices } from './deps';

export interface AuthServicesInput {
  config: Config;
  prisma: PrismaClient;
  cache: Cache;
  logger: Logger;
  /** Key-encryption key of the signing keys (`signingKeyEncryptionKey(config)`). */
  encryptionKey: Buffer;
  clock: () => Date;
}

/** Wires repositories, caches and keys into the use cases (composition only, no logic). */
export function createAuthServices({ config, prisma, cache, logger, encryptionKey, clock }: AuthServicesInput): AuthServices {
  const keys = createSigningKeyStore({
    ...config.signingKeys,
    repository: createSigningKeyRepository(prisma),
    encryptionKey,
    maxTokenLifetimeSeconds: MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
    clock,
  });
  const challenges = createChallengeStore(cache);
  const tokens = createTokenIssuer({ keys, issuer: config.tokens.issuer, clock });
  const deviceRepository = createDeviceRepository(prisma);
  const devices = createDeviceLookup({
    cache: createDeviceCache<CachedDevice>(cache, config.devices.cacheTtlSeconds),
    repository: deviceRepository,
    onCacheError: (error) => logger.warn({ err: error }, 'device cache unavailable, reading Postgres'),
  });
  return {
    keys,
    devices: createDeviceAuthenticator({
      challenges,
      devices,
      repository: deviceRepository,
      tokens,
      allowEcP256: config.devices.allowEcP256,
      clock,
    }),
    apps: createAppAuthenticator({ challenges, apps: createRegisteredAppRepository(prisma), tokens, clock }),
    rateLimiter: createRateLimiter(cache, { limit: config.rateLimit.perMinute, windowSeconds: 60 }),
  };
}
