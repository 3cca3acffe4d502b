import { isIP } from 'node:net';
import { IPv6, parse as parseAddress, parseCIDR } from 'ipaddr.js';
import { compile as compileTrustedProxies } from 'proxy-addr';
import { z } from 'zod';

const portText = z.string().regex(/^\d{1,5}$/, { message: 'must be a port number (0-65535)' });
const port = (fallback: number) =>
  portText
    .default(String(fallback))
    .transform(Number)
    .pipe(z.number().max(65535, { message: 'must be a port number (0-65535)' }));
/** A port that is off unless set (0 is refused: it would bind a random port nobody knows). */
const optionalPort = portText
  .transform(Number)
  .pipe(z.number().min(1, { message: 'must be a port number (1-65535)' }).max(65535, { message: 'must be a port number (1-65535)' }))
  .optional();
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

/** Token signing algorithms a key store can be configured for (SPEC §4); EdDSA is Ed25519. */
export const SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/**
 * What a caller of the lifecycle-api may be allowed to do: the vocabulary of
 * LIFECYCLE_PERMISSIONS_FILE. Each operation needs exactly one of them (the
 * table is in the lifecycle-api).
 */
export const PERMISSIONS = ['devices:read', 'devices:write', 'enrollment:read', 'enrollment:write', 'enrollment:validate', 'keys:read'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const seconds = (fallback: number, max = 31_536_000) => z.coerce.number().int().min(0).max(max).default(fallback);

const encryptionKey = z
  .string()
  .refine((value) => /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32, {
    message: 'must be 32 bytes in standard base64 (44 characters)',
  })
  .optional();

/** Address ranges Express knows by name (proxy-addr presets). */
const TRUSTED_PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrSubnet(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/** What to do about each refusal of proxy-addr (its message up to the colon, which names the entry). */
const PROXY_ADDR_REFUSALS: Readonly<Record<string, string>> = {
  'invalid range on address': 'a subnet needs a prefix of at least /1 (/0 would trust every peer)',
  'invalid IP address': 'write IPv6 addresses in hex groups (a dotted IPv4 tail only as ::ffff:a.b.c.d)',
};

/**
 * Compiles the list as Express does when the gateway sets `trust proxy`
 * (proxy-addr, the library Express uses), so that whatever it would refuse
 * at start stops the load here with a message naming the variable; the
 * address itself is not repeated (no value is, see loadConfig).
 */
function refusalByExpress(trusted: readonly string[]): string | undefined {
  try {
    compileTrustedProxies([...trusted]);
    return undefined;
  } catch (error) {
    const reason = (error as Error).message.split(':')[0];
    return `has an entry Express's \`trust proxy\` refuses (${reason}): ${PROXY_ADDR_REFUSALS[reason] ?? 'name the proxies by address or subnet'}`;
  }
}

/** Shortest subnet prefix that still names proxies rather than a share of the internet. */
const SHORTEST_PROXY_PREFIX = { ipv4: 8, ipv6: 32 } as const;
/** ::ffff:0:0/96 holds the IPv4-mapped addresses; proxy-addr matches IPv4 peers against IPv6 subnets only within it. */
const IPV4_MAPPED_PREFIX = 96;
/** More proxies than this in front of the gateway is a mistake, not a deployment. */
const MOST_TRUSTED_HOPS = 10;

/**
 * Whether an address or subnet entry (already accepted by proxy-addr) spans
 * more than proxies plausibly do. A mapped subnet counts as the IPv4 subnet
 * proxy-addr matches it as (::ffff:0.0.0.0/96 trusts every IPv4 peer); the
 * presets are private ranges, wider in IPv6 but never internet clients.
 */
function tooWideForProxies(entry: string): boolean {
  if (TRUSTED_PROXY_PRESETS.includes(entry) || !entry.includes('/')) return false;
  const [address, prefix] = parseCIDR(entry);
  if (address instanceof IPv6 && prefix >= IPV4_MAPPED_PREFIX && address.isIPv4MappedAddress()) {
    return prefix - IPV4_MAPPED_PREFIX < SHORTEST_PROXY_PREFIX.ipv4;
  }
  return prefix < SHORTEST_PROXY_PREFIX[parseAddress(entry.split('/')[0]).kind()];
}

/**
 * Which peers may tell the client address in X-Forwarded-For (Express `trust
 * proxy`): unset = none; a hop count; or addresses, CIDR subnets and presets.
 * Trusting (nearly) everyone would let any client choose the address its
 * rate limits and audit lines go by, so wide subnets and long hop counts are refused.
 */
const trustedProxies = z
  .string()
  .refine(
    (value) =>
      /^\d+$/.test(value) ||
      value.split(',').every((entry) => TRUSTED_PROXY_PRESETS.includes(entry.trim()) || isAddressOrSubnet(entry.trim())),
    { message: `must be a hop count or a comma-separated list of addresses, CIDR subnets and ${TRUSTED_PROXY_PRESETS.join('/')}`, abort: true },
  )
  .optional()
  .transform((value, context): TrustedProxies => {
    if (value === undefined) return false;
    if (/^\d+$/.test(value)) {
      if (Number(value) > MOST_TRUSTED_HOPS) {
        const message = `must be a hop count of at most ${MOST_TRUSTED_HOPS}: more proxies than that in front of the gateway is implausible, and each trusted hop is an X-Forwarded-For entry a client may have written`;
        context.issues.push({ code: 'custom', message, input: value });
      }
      return Number(value);
    }
    const trusted = value.split(',').map((entry) => entry.trim());
    const refusal = refusalByExpress(trusted);
    if (refusal) context.issues.push({ code: 'custom', message: refusal, input: value });
    else if (trusted.some(tooWideForProxies)) {
      const message = `has a subnet too large to be proxies (IPv4 shorter than /${SHORTEST_PROXY_PREFIX.ipv4}, IPv6 shorter than /${SHORTEST_PROXY_PREFIX.ipv6}, IPv4-mapped IPv6 judged as IPv4): trusting it would let clients choose their own address; name the proxies, or use ${TRUSTED_PROXY_PRESETS.join('/')}`;
      context.issues.push({ code: 'custom', message, input: value });
    }
    return trusted;
  });

/** Express's `trust proxy` value: false (the TCP peer is the client), a hop count, or trusted addresses. */
export type TrustedProxies = false | number | readonly string[];

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
  CACHE: z.enum(['redis', 'memory'], { message: 'must be redis or memory' }).default('redis'),
  REST_HOST: z.string().min(1).default('0.0.0.0'),
  REST_PORT: port(7001),
  TRUST_PROXY: trustedProxies,
  GRPC_HOST: z.string().min(1).default('0.0.0.0'),
  GRPC_PORT: port(7000),
  // Above the default 4 MiB so that an oversized field reaches validation and
  // gets a header status, instead of a transport error from grpc-js.
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
  GRPC_REAL_STATUS_CODES: bool(false),
  // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: grpc-js otherwise advertises 2^32-1, and every open stream holds memory.
  GRPC_MAX_CONCURRENT_STREAMS: z.coerce.number().int().min(1).max(100_000).default(100),
  GRPC_HEALTH_CHECK_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  METRICS_PORT: port(9464),
  GRPC_TLS_CERT_FILE: z.string().optional(),
  GRPC_TLS_KEY_FILE: z.string().optional(),
  GRPC_TLS_CLIENT_CA_FILE: z.string().optional(),
  GRPC_HEALTH_PORT: optionalPort,
  LIFECYCLE_AUTH: z.enum(['required', 'insecure-compat'], { message: 'must be required or insecure-compat' }).default('required'),
  LIFECYCLE_PERMISSIONS_FILE: z.string().optional(),
  DEVICE_CERT_ALLOW_EC_P256: bool(false),
  DEVICE_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  TOKEN_ISSUER: z.string().min(1).default('HP Device Token Service'),
  SIGNING_KEY_ALGORITHM: z.enum(SIGNING_ALGORITHMS).default('RS512'),
  SIGNING_KEY_RSA_BITS: z.coerce.number().int().min(2048).max(16384).multipleOf(1024).default(4096),
  SIGNING_KEY_ENCRYPTION_KEY: encryptionKey,
  SIGNING_KEY_ENCRYPTION_INSECURE_DEV: bool(false),
  SIGNING_KEY_ACTIVATION_DELAY_SECONDS: seconds(3_600),
  SIGNING_KEY_ROTATION_DAYS: z.coerce.number().int().min(0).max(3_650).default(0),
  SIGNING_KEY_REFRESH_SECONDS: seconds(30, 3_600),
  JWKS_MAX_AGE_SECONDS: seconds(300, 86_400),
  APPS_FILE: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(600),
  RATE_LIMIT_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(10),
});

/** Names of every environment variable the services read (deployment manifests are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);


export type Environment = Record<string, string | undefined>;

export interface Config {
  readonly logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
  readonly database: {
    readonly url: string;
    readonly poolMax: number;
    readonly migrateOnStart: boolean;
  };
  readonly redis: { readonly url: string; readonly keyPrefix: string };
  /**
   * `redis`, or `memory`: the in-process cache, single instance only (each
   * process has its own; the device cache is then off, see libs/cache).
   */
  readonly cache: { readonly backend: 'redis' | 'memory' };
  readonly rest: {
    readonly host: string;
    readonly port: number;
    /** Proxies whose X-Forwarded-For names the client (per-address rate limits, audit); false = none. */
    readonly trustProxy: TrustedProxies;
  };
  readonly grpc: {
    readonly host: string;
    readonly port: number;
    /** Largest request message the lifecycle API accepts. */
    readonly maxReceiveMessageBytes: number;
    /** Calls one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
    readonly maxConcurrentStreams: number;
    /** Also fail calls with the real gRPC status, not only `header.status` (SPEC §6 [beyond]). */
    readonly realStatusCodes: boolean;
    /** How often the health service re-checks the database (NOT_SERVING while it is unreachable). */
    readonly healthCheckSeconds: number;
    /** PEM files of the lifecycle-api's TLS: server certificate (chain), its key, the admin CA bundle for client certificates. */
    readonly tls: { readonly certFile?: string; readonly keyFile?: string; readonly clientCaFile?: string };
    /** Extra plaintext port serving only grpc.health.v1 (probes that cannot do TLS); undefined = none. */
    readonly healthPort: number | undefined;
  };
  /** Port of the lifecycle-api's Prometheus endpoint (`GET /metrics`, on GRPC_HOST); 0 = none. */
  readonly metrics: { readonly port: number };
  /**
   * Who may call the lifecycle-api: `required` (mTLS or app bearer tokens,
   * per-operation permissions from `permissionsFile`), or `insecure-compat`
   * (plaintext and unauthenticated, as the original).
   */
  readonly lifecycleAuth: { readonly mode: 'required' | 'insecure-compat'; readonly permissionsFile: string | undefined };
  readonly devices: {
    /** Accept EC P-256 device certificates (SPEC §2 [beyond]); RSA only when false. */
    readonly allowEcP256: boolean;
    /** Lifetime of a device snapshot in the Redis device cache. */
    readonly cacheTtlSeconds: number;
  };
  readonly tokens: { readonly issuer: string };
  readonly signingKeys: {
    readonly algorithm: SigningAlgorithm;
    /** Modulus size of new RSA signing keys. */
    readonly rsaBits: number;
    /** Base64 key-encryption key; read it through {@link signingKeyEncryptionKey}. */
    readonly encryptionKey: string | undefined;
    /** Development only: a fixed, publicly known key-encryption key instead of a missing one. */
    readonly insecureDevEncryption: boolean;
    /** A rotated-in key is published this long before it starts signing. */
    readonly activationDelaySeconds: number;
    /** Automatic rotation period; 0 = rotate only on request. */
    readonly rotationDays: number;
    /** How often a replica re-reads the key table. */
    readonly refreshSeconds: number;
  };
  readonly jwks: { readonly maxAgeSeconds: number };
  /** Registered apps file (YAML or JSON), upserted at start; undefined = leave the table alone. */
  readonly appsFile: string | undefined;
  /** auth-gateway challenge and token endpoints; 0 = unlimited. */
  readonly rateLimit: {
    /** Requests per minute per client address. */
    readonly perMinute: number;
    /** Failed authentications per minute per claimed device or app and client address. */
    readonly failuresPerMinute: number;
  };
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
 * The lifecycle-api binds these ports on GRPC_HOST: two equal ones would pass
 * validation and then fail the start with EADDRINUSE. Unset (off) and 0 (a
 * free port chosen by the system; metrics off) never collide. In order, so
 * that each problem names the later variable first.
 */
function portCollisions(ports: Record<string, number | undefined>): string[] {
  const bound = Object.entries(ports).filter((entry): entry is [string, number] => entry[1] !== undefined && entry[1] !== 0);
  return bound.flatMap(([variable, port], index) =>
    bound
      .slice(0, index)
      .filter(([, earlierPort]) => earlierPort === port)
      .map(([earlier]) => `${variable} must differ from ${earlier}: the lifecycle-api binds each on GRPC_HOST`),
  );
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
  // Every replica must have published a new key, and verifiers' cached JWKS
  // must have expired, before the key signs anything.
  if (env.SIGNING_KEY_ACTIVATION_DELAY_SECONDS < env.SIGNING_KEY_REFRESH_SECONDS + env.JWKS_MAX_AGE_SECONDS) {
    throw new ConfigError([
      'SIGNING_KEY_ACTIVATION_DELAY_SECONDS must be at least SIGNING_KEY_REFRESH_SECONDS + JWKS_MAX_AGE_SECONDS',
    ]);
  }
  const collisions = portCollisions({ GRPC_PORT: env.GRPC_PORT, GRPC_HEALTH_PORT: env.GRPC_HEALTH_PORT, METRICS_PORT: env.METRICS_PORT });
  if (collisions.length > 0) throw new ConfigError(collisions);
  return deepFreeze({
    logLevel: env.LOG_LEVEL,
    database: {
      url: env.DATABASE_URL,
      poolMax: env.DATABASE_POOL_MAX,
      migrateOnStart: env.DATABASE_MIGRATE_ON_START,
    },
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    cache: { backend: env.CACHE },
    rest: { host: env.REST_HOST, port: env.REST_PORT, trustProxy: env.TRUST_PROXY },
    grpc: {
      host: env.GRPC_HOST,
      port: env.GRPC_PORT,
      maxReceiveMessageBytes: env.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
      maxConcurrentStreams: env.GRPC_MAX_CONCURRENT_STREAMS,
      realStatusCodes: env.GRPC_REAL_STATUS_CODES,
      healthCheckSeconds: env.GRPC_HEALTH_CHECK_SECONDS,
      tls: { certFile: env.GRPC_TLS_CERT_FILE, keyFile: env.GRPC_TLS_KEY_FILE, clientCaFile: env.GRPC_TLS_CLIENT_CA_FILE },
      healthPort: env.GRPC_HEALTH_PORT,
    },
    metrics: { port: env.METRICS_PORT },
    lifecycleAuth: { mode: env.LIFECYCLE_AUTH, permissionsFile: env.LIFECYCLE_PERMISSIONS_FILE },
    devices: { allowEcP256: env.DEVICE_CERT_ALLOW_EC_P256, cacheTtlSeconds: env.DEVICE_CACHE_TTL_SECONDS },
    tokens: { issuer: env.TOKEN_ISSUER },
    signingKeys: {
      algorithm: env.SIGNING_KEY_ALGORITHM,
      rsaBits: env.SIGNING_KEY_RSA_BITS,
      encryptionKey: env.SIGNING_KEY_ENCRYPTION_KEY,
      insecureDevEncryption: env.SIGNING_KEY_ENCRYPTION_INSECURE_DEV,
      activationDelaySeconds: env.SIGNING_KEY_ACTIVATION_DELAY_SECONDS,
      rotationDays: env.SIGNING_KEY_ROTATION_DAYS,
      refreshSeconds: env.SIGNING_KEY_REFRESH_SECONDS,
    },
    jwks: { maxAgeSeconds: env.JWKS_MAX_AGE_SECONDS },
    appsFile: env.APPS_FILE,
    rateLimit: { perMinute: env.RATE_LIMIT_PER_MINUTE, failuresPerMinute: env.RATE_LIMIT_FAILURES_PER_MINUTE },
  });
}

/** Publicly known, so only ever used when SIGNING_KEY_ENCRYPTION_INSECURE_DEV=true. */
const INSECURE_DEVELOPMENT_KEY = Buffer.alloc(32, 'dsts-insecure-development-key');

/**
 * The key that encrypts signing keys at rest. A service that manages signing
 * keys calls this at start and so refuses to run without one, unless the
 * development escape hatch is set explicitly.
 */
export function signingKeyEncryptionKey(config: Config): Buffer {
  const { encryptionKey, insecureDevEncryption } = config.signingKeys;
  if (encryptionKey) return Buffer.from(encryptionKey, 'base64');
  if (insecureDevEncryption) return Buffer.from(INSECURE_DEVELOPMENT_KEY);
  throw new ConfigError([
    'SIGNING_KEY_ENCRYPTION_KEY is required (32 random bytes, base64); for local development only, SIGNING_KEY_ENCRYPTION_INSECURE_DEV=true uses a publicly known key',
  ]);
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
    signingKeys: { ...config.signingKeys, encryptionKey: config.signingKeys.encryptionKey && '***' },
  };
}
