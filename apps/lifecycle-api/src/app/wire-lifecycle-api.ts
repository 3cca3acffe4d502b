import type { ServiceFoundation } from '@dsts/runtime';
import { createAuditLog, createMetrics } from '@dsts/observability';
import { createTokenServices, startTokenServices, type TokenServices } from '@dsts/tokens';
import { createGrpcServer, type LifecycleGrpcServer } from './create-grpc-server';

export interface WiredLifecycleApi extends LifecycleGrpcServer {
  tokenServices: TokenServices;
}

/**
 * The service's wiring on top of its foundation, shared by main.ts and the
 * tests: token services (APPS_FILE sync and first signing key — whichever
 * service starts first does it), then the gRPC server, not yet bound.
 * A failed start closes the connections it was given.
 */
export async function wireLifecycleApi(foundation: ServiceFoundation): Promise<WiredLifecycleApi> {
  const { config, logger, prisma, cache, clock, encryptionKey } = foundation;
  const tokenServices = createTokenServices({ config, prisma, cache, encryptionKey, clock });
  await startTokenServices(tokenServices, { config, logger }).catch(async (error: unknown) => {
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
    throw error;
  });
  const grpc = createGrpcServer({
    config,
    logger,
    audit: createAuditLog(logger),
    metrics: createMetrics('lifecycle-api'),
    prisma,
    cache,
    clock,
    keys: tokenServices.keys,
    apps: tokenServices.apps,
  });
  return { ...grpc, tokenServices };
}
