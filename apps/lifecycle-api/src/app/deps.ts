import type { Cache, DeviceCache } from '@dsts/cache';
import type { Config } from '@dsts/config';
import type { DeviceRepository, EnrollmentTokenRepository, PrismaClient } from '@dsts/db';
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

/** What the RPC handlers use: the deps plus the ports built on them by createGrpcServer. */
export interface RpcDeps extends LifecycleApiDeps {
  devices: DeviceRepository;
  enrollmentTokens: EnrollmentTokenRepository;
  /** Only invalidated here; auth-gateway fills it. */
  deviceCache: DeviceCache<unknown>;
}
