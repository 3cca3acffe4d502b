import { createDeviceCache, createFailureLimiter, createRateLimiter } from '@dsts/cache';
import { createDeviceRepository } from '@dsts/db';
import { createAuditLog, type Logger } from '@dsts/observability';
import { type CachedDevice, createDeviceAuthenticator, createDeviceLookup, createTokenServices, type TokenServicesDeps } from '@dsts/tokens';
import type { AuthServices } from './deps';

/** The RATE_LIMIT_* variables count per minute. */
const RATE_LIMIT_WINDOW_SECONDS = 60;

export interface AuthServicesInput extends TokenServicesDeps {
  logger: Logger;
}

/**
 * Adds the gateway's own use cases (device authentication, rate limits, audit) to the
 * token services it shares with the lifecycle-api (composition only, no logic).
 */
export function createAuthServices({ logger, ...deps }: AuthServicesInput): AuthServices {
  const { config, prisma, cache, clock } = deps;
  const shared = createTokenServices(deps);
  const deviceRepository = createDeviceRepository(prisma);
  const devices = createDeviceLookup({
    cache: createDeviceCache<CachedDevice>(cache, config.devices.cacheTtlSeconds),
    repository: deviceRepository,
    onCacheError: (error) => logger.warn({ err: error }, 'device cache unavailable, reading Postgres'),
  });
  return {
    ...shared,
    devices: createDeviceAuthenticator({
      challenges: shared.challenges,
      devices,
      repository: deviceRepository,
      tokens: shared.tokens,
      allowEcP256: config.devices.allowEcP256,
      clock,
    }),
    rateLimiter: createRateLimiter(cache, { limit: config.rateLimit.perMinute, windowSeconds: RATE_LIMIT_WINDOW_SECONDS }),
    failureLimiter: createFailureLimiter(cache, { limit: config.rateLimit.failuresPerMinute, windowSeconds: RATE_LIMIT_WINDOW_SECONDS }),
    audit: createAuditLog(logger),
  };
}
