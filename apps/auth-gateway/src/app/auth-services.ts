import { createDeviceCache } from '@dsts/cache';
import { createDeviceRepository } from '@dsts/db';
import { countTokens, createAuditLog, type Logger, type ServiceMetrics } from '@dsts/observability';
import { type CachedDevice, createDeviceAuthenticator, createDeviceLookup, createTokenServices, type TokenServicesDeps } from '@dsts/tokens';
import type { AuthServices } from './deps';

export interface AuthServicesInput extends TokenServicesDeps {
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * Adds the gateway's own use cases (device authentication, audit) to the
 * token services it shares with the lifecycle-api (composition only, no logic);
 * token outcomes and device cache reads are counted in the metrics.
 */
export function createAuthServices({ logger, metrics, ...deps }: AuthServicesInput): AuthServices {
  const { config, prisma, cache, clock } = deps;
  const shared = createTokenServices(deps);
  const deviceRepository = createDeviceRepository(prisma);
  const devices = createDeviceLookup({
    cache: createDeviceCache<CachedDevice>(cache, config.devices.cacheTtlSeconds),
    repository: deviceRepository,
    onCacheError: (error) => logger.warn({ err: error }, 'device cache unavailable, reading Postgres'),
    onCacheRead: (result) => metrics.deviceCacheLookups.inc({ result }),
  });
  const deviceAuthenticator = createDeviceAuthenticator({
    challenges: shared.challenges,
    devices,
    repository: deviceRepository,
    tokens: shared.tokens,
    allowEcP256: config.devices.allowEcP256,
    clock,
  });
  return {
    ...shared,
    apps: { ...shared.apps, authenticate: countTokens(metrics, 'app', shared.apps.authenticate) },
    devices: { ...deviceAuthenticator, authenticate: countTokens(metrics, 'device', deviceAuthenticator.authenticate) },
    audit: createAuditLog(logger),
  };
}
