import { type Cache, type ChallengeStore, createChallengeStore } from '@dsts/cache';
import type { Config } from '@dsts/config';
import { createRegisteredAppRepository, createSigningKeyRepository, type PrismaClient, type RegisteredAppRepository } from '@dsts/db';
import { createSigningKeyStore, type SigningKeyStore } from '@dsts/keys';
import type { Logger } from '@dsts/observability';
import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from './access-token-claims';
import { type AppAuthenticator, createAppAuthenticator } from './app-authenticator';
import { type AppTokenVerifier, createAppTokenVerifier } from './app-token-verifier';
import { type AuthenticationBudgets, createAuthenticationBudgets } from './authentication-budgets';
import { readRegisteredAppsFile } from './registered-apps-file';
import { createTokenIssuer, type TokenIssuer } from './token-issuer';

export interface TokenServicesDeps {
  config: Config;
  prisma: PrismaClient;
  cache: Cache;
  /** Key-encryption key of the signing keys (`signingKeyEncryptionKey(config)`). */
  encryptionKey: Buffer;
  clock: () => Date;
}

/**
 * What both services need to publish keys and authenticate apps: the
 * auth-gateway (REST) and the lifecycle-api (gRPC GetSigningKey,
 * GetAppAuthenticationChallenge, AuthenticateApp) build it the same way, so
 * they share one key table, one challenge store, one app table and the
 * authentication rate limits.
 */
export interface TokenServices {
  keys: SigningKeyStore;
  challenges: ChallengeStore;
  tokens: TokenIssuer;
  registeredApps: RegisteredAppRepository;
  apps: AppAuthenticator;
  /** Verifies app tokens issued here when apps present them as credentials (lifecycle-api). */
  appTokens: AppTokenVerifier;
  /** RATE_LIMIT_PER_MINUTE and RATE_LIMIT_FAILURES_PER_MINUTE of the challenge and token endpoints, in Redis. */
  budgets: AuthenticationBudgets;
}

/**
 * The signing key store as configured (`SIGNING_KEY_*`), keeping retired keys
 * published for the longest access token issued here.
 */
export function createConfiguredSigningKeyStore({ config, prisma, encryptionKey, clock }: Omit<TokenServicesDeps, 'cache'>): SigningKeyStore {
  return createSigningKeyStore({
    ...config.signingKeys,
    repository: createSigningKeyRepository(prisma),
    encryptionKey,
    maxTokenLifetimeSeconds: MAX_ACCESS_TOKEN_LIFETIME_SECONDS,
    clock,
  });
}

/** Wires the key store, challenge store, token issuer, app authenticator, app token verifier and rate limits (composition only). */
export function createTokenServices(deps: TokenServicesDeps): TokenServices {
  const { config, prisma, cache, clock } = deps;
  const keys = createConfiguredSigningKeyStore(deps);
  const challenges = createChallengeStore(cache);
  const tokens = createTokenIssuer({ keys, issuer: config.tokens.issuer, clock });
  const registeredApps = createRegisteredAppRepository(prisma);
  return {
    keys,
    challenges,
    tokens,
    registeredApps,
    apps: createAppAuthenticator({ challenges, apps: registeredApps, tokens, clock }),
    appTokens: createAppTokenVerifier({ keys, issuer: config.tokens.issuer, apps: registeredApps, clock }),
    budgets: createAuthenticationBudgets(cache, config.rateLimit),
  };
}

/**
 * Start-up work of either service, before it serves: synchronises
 * `APPS_FILE` into the app table (idempotent, so both services may do it)
 * and creates the first signing key unless one exists (race-free across
 * services and replicas). Fails — and the service must not start — when the
 * apps file is invalid or the primary key cannot be decrypted.
 */
export async function startTokenServices(services: TokenServices, { config, logger }: { config: Config; logger: Logger }): Promise<void> {
  if (config.signingKeys.insecureDevEncryption && !config.signingKeys.encryptionKey) {
    logger.warn('signing keys are encrypted with the publicly known development key (SIGNING_KEY_ENCRYPTION_INSECURE_DEV)');
  }
  if (config.appsFile) {
    const apps = await readRegisteredAppsFile(config.appsFile);
    await services.registeredApps.synchronise(apps);
    logger.info({ apps: apps.map((app) => app.id) }, 'registered apps synchronised');
  }
  const kid = await services.keys.ensurePrimaryKey();
  logger.info({ kid }, 'signing key ready');
}
