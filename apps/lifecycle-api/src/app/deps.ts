import type { Cache } from '@dsts/cache';
import type { Config } from '@dsts/config';
import type { PrismaClient } from '@dsts/db';
import type { Logger, ServiceMetrics } from '@dsts/observability';

/** Everything the gRPC server needs, built once by main.ts (the composition root). */
export interface LifecycleApiDeps {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  prisma: PrismaClient;
  cache: Cache;
  clock: () => Date;
}
