import type { ServiceFoundation } from '@dsts/runtime';
import { countTokens } from '@dsts/observability';
import { createTokenServices, startTokenServices, type TokenServices } from '@dsts/tokens';
import { createGrpcServer, DEVICE_STS_SERVICE_NAME, type LifecycleGrpcServer } from './create-grpc-server';
import { type DatabaseHealth, followDatabaseHealth } from './database-health';

export interface WiredLifecycleApi extends LifecycleGrpcServer {
  tokenServices: TokenServices;
  /** Moves the health status with the database; stop it before shutting the server down. */
  databaseHealth: DatabaseHealth;
}

/**
 * The service's wiring on top of its foundation, shared by main.ts and the
 * tests: token services (APPS_FILE sync and first signing key — whichever
 * service starts first does it), then the gRPC server, not yet bound, whose
 * health status follows the database. A failed start closes the connections
 * it was given.
 */
export async function wireLifecycleApi(foundation: ServiceFoundation): Promise<WiredLifecycleApi> {
  const { config, logger, metrics, prisma, cache, clock, encryptionKey } = foundation;
  const tokenServices = createTokenServices({ config, prisma, cache, encryptionKey, clock });
  await startTokenServices(tokenServices, { config, logger }).catch(async (error: unknown) => {
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
    throw error;
  });
  const grpc = createGrpcServer({
    config,
    logger,
    metrics,
    prisma,
    cache,
    clock,
    keys: tokenServices.keys,
    apps: { ...tokenServices.apps, authenticate: countTokens(metrics, 'app', tokenServices.apps.authenticate) },
  });
  const databaseHealth = followDatabaseHealth({
    prisma,
    health: grpc.health,
    services: ['', DEVICE_STS_SERVICE_NAME],
    logger,
    intervalSeconds: config.grpc.healthCheckSeconds,
  });
  return { ...grpc, tokenServices, databaseHealth };
}
