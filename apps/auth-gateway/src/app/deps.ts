import type { Cache } from '@dsts/cache';
import type { Config } from '@dsts/config';
import type { PrismaClient } from '@dsts/db';
import type { AuditLog, Logger, ServiceMetrics } from '@dsts/observability';
import type { DeviceAuthenticator, TokenServices } from '@dsts/tokens';

/** Everything the HTTP app needs, built once by main.ts (the composition root). */
export interface AuthGatewayDeps extends AuthServices {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  prisma: PrismaClient;
  cache: Cache;
}

/**
 * The use cases behind the routes (see `createAuthServices`): the shared
 * token services (with the rate limits, `budgets`) plus the gateway's own.
 */
export interface AuthServices extends TokenServices {
  devices: DeviceAuthenticator;
  /** Authentication refusals. */
  audit: AuditLog;
}
