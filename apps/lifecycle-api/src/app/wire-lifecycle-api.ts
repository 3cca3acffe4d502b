import { type Server, ServerCredentials } from '@grpc/grpc-js';
import { type CallerAccess, createCallerAuthenticator, INSECURE_COMPAT_WARNING, loadCallerAccess } from '@dsts/caller-auth';
import type { ServiceFoundation } from '@dsts/runtime';
import { countTokens, createAuditLog } from '@dsts/observability';
import { createTokenServices, startTokenServices, type TokenServices } from '@dsts/tokens';
import { createGrpcServer, DEVICE_STS_SERVICE_NAME, type LifecycleGrpcServer } from './create-grpc-server';
import { followDatabaseHealth } from './database-health';
import { serverCredentials } from './server-credentials';

export interface ListeningPorts {
  /** DeviceSTS, health and reflection: TLS, or plaintext in compatibility mode. */
  port: number;
  /** The plaintext health-only port (GRPC_HEALTH_PORT), when configured. */
  healthPort: number | undefined;
}

export interface WiredLifecycleApi extends LifecycleGrpcServer {
  tokenServices: TokenServices;
  /** Binds GRPC_HOST:GRPC_PORT (and GRPC_HEALTH_PORT) with the configured credentials. */
  listen(): Promise<ListeningPorts>;
  /** Turns liveness and readiness NOT_SERVING and stops both listeners; calls in flight finish first. */
  shutdown(): Promise<void>;
}

const bind = (server: Server, address: string, credentials: ServerCredentials) =>
  new Promise<number>((resolve, reject) => server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))));

/**
 * The service's wiring on top of its foundation, shared by main.ts and the
 * tests: who may call (LIFECYCLE_AUTH, TLS files, permissions file — a
 * missing or bad one stops the start here), token services (APPS_FILE sync
 * and first signing key — whichever service starts first does it), then the
 * gRPC server, not yet bound. Health: "" (liveness) is the process alone,
 * SERVING until shutdown; krypton.dsts.DeviceSTS (readiness) also follows the
 * database. A failed start closes the connections it was given.
 */
export async function wireLifecycleApi(foundation: ServiceFoundation): Promise<WiredLifecycleApi> {
  const { config, logger, metrics, prisma, cache, clock, encryptionKey } = foundation;
  const tokenServices = createTokenServices({ config, prisma, cache, encryptionKey, clock });
  let access: CallerAccess;
  try {
    // TLS handshakes judge certificates by the wall clock, so the files are checked by it too (not the injected clock).
    access = await loadCallerAccess(config, new Date());
    await startTokenServices(tokenServices, { config, logger });
  } catch (error) {
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
    throw error;
  }
  if (access.mode === 'insecure-compat') logger.warn(INSECURE_COMPAT_WARNING);
  const grpc = createGrpcServer({
    config,
    logger,
    audit: createAuditLog(logger),
    metrics,
    prisma,
    cache,
    clock,
    keys: tokenServices.keys,
    apps: { ...tokenServices.apps, authenticate: countTokens(metrics, 'app', tokenServices.apps.authenticate) },
    budgets: tokenServices.budgets,
    callers: access.mode === 'required' ? createCallerAuthenticator({ grants: access.grants, appTokens: tokenServices.appTokens }) : 'insecure-compat',
  });
  const databaseHealth = followDatabaseHealth({
    prisma,
    health: grpc.health,
    services: [DEVICE_STS_SERVICE_NAME],
    logger,
    intervalSeconds: config.grpc.healthCheckSeconds,
  });
  const servers = [grpc.server, grpc.healthServer].filter((server): server is Server => server !== undefined);
  return {
    ...grpc,
    tokenServices,
    async listen() {
      const { host, port, healthPort } = config.grpc;
      return {
        port: await bind(grpc.server, `${host}:${port}`, serverCredentials(access)),
        healthPort: grpc.healthServer && (await bind(grpc.healthServer, `${host}:${healthPort}`, ServerCredentials.createInsecure())),
      };
    },
    shutdown: async () => {
      databaseHealth.stop();
      for (const service of ['', DEVICE_STS_SERVICE_NAME]) grpc.health.setStatus(service, 'NOT_SERVING');
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.tryShutdown(() => resolve()))));
    },
  };
}
