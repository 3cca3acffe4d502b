import type { Cache, FailureLimiter, RateLimiter } from '@dsts/cache';
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

/** The use cases behind the routes (see `createAuthServices`): the shared token services plus the gateway's own. */
export interface AuthServices extends TokenServices {
  devices: DeviceAuthenticator;
  /** Requests per client address. */
  rateLimiter: RateLimiter;
  /** Failed authentications per (claimed device or app, client address). */
  failureLimiter: FailureLimiter;
  /** Authentication refusals. */
  audit: AuditLog;
}
