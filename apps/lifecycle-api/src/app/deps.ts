import type { Cache, DeviceCache } from '@dsts/cache';
import type { CallerAuthenticator } from '@dsts/caller-auth';
import type { Config } from '@dsts/config';
import type { AuditRepository, DeviceRepository, EnrollmentTokenRepository, PrismaClient } from '@dsts/db';
import type { SigningKeyStore } from '@dsts/keys';
import type { AuditLog, Logger, ServiceMetrics } from '@dsts/observability';
import type { AppAuthenticator, AuthenticationBudgets } from '@dsts/tokens';

/** Everything the gRPC server needs, built once by main.ts (the composition root). */
export interface LifecycleApiDeps {
  config: Config;
  logger: Logger;
  /** Audit lines (README "Audit log"). */
  audit: AuditLog;
  metrics: ServiceMetrics;
  prisma: PrismaClient;
  cache: Cache;
  clock: () => Date;
  /** The signing keys the auth-gateway publishes (same table): GetSigningKey. */
  keys: Pick<SigningKeyStore, 'publishedJwks'>;
  /** The auth-gateway's app authentication (same challenges, apps and keys). */
  apps: AppAuthenticator;
  /** The auth-gateway's rate limits of app authentication (same Redis keys: one budget whichever transport). */
  budgets: AuthenticationBudgets;
  /** Who may call what (the authentication interceptor), or everyone in compatibility mode (LIFECYCLE_AUTH). */
  callers: CallerAuthenticator | 'insecure-compat';
}

/** What the RPC handlers use: the deps plus the ports built on them by createGrpcServer. */
export interface RpcDeps extends LifecycleApiDeps {
  devices: DeviceRepository;
  enrollmentTokens: EnrollmentTokenRepository;
  /** The `audit_events` table. */
  auditEvents: AuditRepository;
  /** Only invalidated here; auth-gateway fills it. */
  deviceCache: DeviceCache<unknown>;
}
