import { z } from 'zod';

const port = (fallback: number) =>
  z
    .string()
    .regex(/^\d{1,5}$/, { message: 'must be a port number (0-65535)' })
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().max(65535, { message: 'must be a port number (0-65535)' }));
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL` },
  );

/**
 * Every environment variable the services read, with its default.
 * README's configuration table documents the same list.
 */
const environmentSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_MIGRATE_ON_START: bool(true),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().max(64).default('dsts:'),
  REST_HOST: z.string().min(1).default('0.0.0.0'),
  REST_PORT: port(7001),
  GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  GRPC_PORT: port(7000),
  // Above the default 4 MiB so that an oversized field reaches validation and
  // gets a header status, instead of a transport error from grpc-js.
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
  GRPC_REAL_STATUS_CODES: bool(false),
  DEVICE_CERT_ALLOW_EC_P256: bool(false),
  DEVICE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  TOKEN_ISSUER: z.string().min(1).default('HP Device Token Service'),
});

export type Environment = Record<string, string | undefined>;

export interface Config {
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly database: {
    readonly url: string;
    readonly poolMax: number;
    readonly migrateOnStart: boolean;
  };
  readonly redis: { readonly url: string; readonly keyPrefix: string };
  readonly rest: { readonly host: string; readonly port: number };
  readonly grpc: {
    readonly host: string;
    readonly port: number;
    /** Largest request message the lifecycle API accepts. */
    readonly maxReceiveMessageBytes: number;
    /** Also fail calls with the real gRPC status, not only `header.status` (SPEC §6 [beyond]). */
    readonly realStatusCodes: boolean;
  };
  readonly devices: {
    /** Accept EC P-256 device certificates (SPEC §2 [beyond]); RSA only when false. */
    readonly allowEcP256: boolean;
    /** Lifetime of a device snapshot in the Redis device cache. */
    readonly cacheTtlSeconds: number;
  };
  readonly tokens: { readonly issuer: string };
}

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads and validates the configuration once. Empty strings count as unset,
 * so `FOO=` falls back to the default rather than failing obscurely.
 * Errors name the variable but never echo its value (it may be a secret).
 */
export function loadConfig(environment: Environment = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        const message = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
        return `${variable} ${message}`;
      }),
    );
  }
  const env = parsed.data;
  return deepFreeze({
    logLevel: env.LOG_LEVEL,
    database: {
      url: env.DATABASE_URL,
      poolMax: env.DATABASE_POOL_MAX,
      migrateOnStart: env.DATABASE_MIGRATE_ON_START,
    },
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    rest: { host: env.REST_HOST, port: env.REST_PORT },
    grpc: {
      host: env.GRPC_HOST,
      port: env.GRPC_PORT,
      maxReceiveMessageBytes: env.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
      realStatusCodes: env.GRPC_REAL_STATUS_CODES,
    },
    devices: { allowEcP256: env.DEVICE_CERT_ALLOW_EC_P256, cacheTtlSeconds: env.DEVICE_CACHE_TTL_SECONDS },
    tokens: { issuer: env.TOKEN_ISSUER },
  });
}

/** Query parameters through which pg and ioredis also accept credentials. */
const SECRET_QUERY_PARAMETER = /pass|secret|key|token|cert/i;

function redactUrl(value: string): string {
  const parsed = new URL(value);
  if (parsed.password) parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY_PARAMETER.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}

/** The configuration as it may be logged: credentials inside URLs masked. */
export function redactConfig(config: Config): Config {
  return {
    ...config,
    database: { ...config.database, url: redactUrl(config.database.url) },
    redis: { ...config.redis, url: redactUrl(config.redis.url) },
  };
}
