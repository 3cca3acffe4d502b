import type { Cache } from '@dsts/cache';
import type { Config } from '@dsts/config';
import type { PrismaClient } from '@dsts/db';
import type { Logger, ServiceMetrics } from '@dsts/observability';

/** Everything the HTTP app needs, built once by main.ts (the composition root). */
export interface AuthGatewayDeps {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  prisma: PrismaClient;
  cache: Cache;
}
