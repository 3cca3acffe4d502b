import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, redactConfig, signingKeyEncryptionKey } from './config';

const minimal = { DATABASE_URL: 'postgresql://dsts:s3cret@db.internal:5432/dsts' };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);

    expect(config.rest).toEqual({ host: '0.0.0.0', port: 7001, trustProxy: false });
    expect(config.grpc).toEqual({
      host: '0.0.0.0',
      port: 7000,
      maxReceiveMessageBytes: 8 * 1024 * 1024,
      maxConcurrentStreams: 100,
      realStatusCodes: false,
      healthCheckSeconds: 5,
      tls: { certFile: undefined, keyFile: undefined, clientCaFile: undefined },
      healthPort: undefined,
    });
    expect(config.metrics).toEqual({ port: 9464 });
    expect(config.lifecycleAuth).toEqual({ mode: 'required', permissionsFile: undefined });
    expect(config.devices).toEqual({ allowEcP256: false, cacheTtlSeconds: 60 });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'dsts:' });
    expect(config.cache).toEqual({ backend: 'redis' });
    expect(config.database).toEqual({ url: minimal.DATABASE_URL, poolMax: 10, migrateOnStart: true });
    expect(config.tokens.issuer).toBe('HP Device Token Service');
    expect(config.logLevel).toBe('info');
  });

  it('reads every overridable variable', () => {
    const config = loadConfig({
      ...minimal,
      REST_PORT: '8081',
      GRPC_PORT: '9091',
      DATABASE_POOL_MAX: '3',
      DATABASE_MIGRATE_ON_START: 'false',
      REDIS_URL: 'rediss://cache:6380',
      REDIS_KEY_PREFIX: 'x:',
      TOKEN_ISSUER: 'Acme STS',
      LOG_LEVEL: 'debug',
      GRPC_MAX_RECEIVE_MESSAGE_BYTES: '5242880',
      GRPC_REAL_STATUS_CODES: 'true',
      DEVICE_CERT_ALLOW_EC_P256: 'yes',
      DEVICE_CACHE_TTL_SECONDS: '30',
      GRPC_HEALTH_CHECK_SECONDS: '2',
      METRICS_PORT: '0',
    });

    expect(config.rest.port).toBe(8081);
    expect(config.grpc.port).toBe(9091);
    expect(config.database.poolMax).toBe(3);
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.redis).toEqual({ url: 'rediss://cache:6380', keyPrefix: 'x:' });
    expect(config.tokens.issuer).toBe('Acme STS');
    expect(config.logLevel).toBe('debug');
    expect(config.grpc).toMatchObject({ maxReceiveMessageBytes: 5_242_880, realStatusCodes: true, healthCheckSeconds: 2 });
    expect(config.metrics).toEqual({ port: 0 });
    expect(config.devices).toEqual({ allowEcP256: true, cacheTtlSeconds: 30 });
  });

  it('reads the lifecycle-api access settings; the health port is off unless set, and never 0', () => {
    const config = loadConfig({
      ...minimal,
      GRPC_TLS_CERT_FILE: '/tls/tls.crt',
      GRPC_TLS_KEY_FILE: '/tls/tls.key',
      GRPC_TLS_CLIENT_CA_FILE: '/tls/ca.crt',
      GRPC_HEALTH_PORT: '7002',
      LIFECYCLE_AUTH: 'insecure-compat',
      LIFECYCLE_PERMISSIONS_FILE: '/config/permissions.yaml',
    });
    expect(config.grpc).toMatchObject({ tls: { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key', clientCaFile: '/tls/ca.crt' }, healthPort: 7002 });
    expect(config.lifecycleAuth).toEqual({ mode: 'insecure-compat', permissionsFile: '/config/permissions.yaml' });
    expect(problemsOf({ ...minimal, GRPC_HEALTH_PORT: '0' })).toEqual(['GRPC_HEALTH_PORT must be a port number (1-65535)']);
    expect(problemsOf({ ...minimal, LIFECYCLE_AUTH: 'none' })).toEqual(['LIFECYCLE_AUTH must be required or insecure-compat']);
  });

  it('bounds the streams of one gRPC connection: GRPC_MAX_CONCURRENT_STREAMS, at least 1', () => {
    expect(loadConfig({ ...minimal, GRPC_MAX_CONCURRENT_STREAMS: '20' }).grpc.maxConcurrentStreams).toBe(20);
    for (const value of ['0', '-1', '1.5', '100001']) expect(problemsOf({ ...minimal, GRPC_MAX_CONCURRENT_STREAMS: value })).toHaveLength(1);
  });

  // Regression: these passed validation and the lifecycle-api died at bind with EADDRINUSE.
  it('refuses lifecycle-api ports that collide (all bound on GRPC_HOST), naming both variables', () => {
    expect(problemsOf({ ...minimal, GRPC_HEALTH_PORT: '7000' })).toEqual([
      'GRPC_HEALTH_PORT must differ from GRPC_PORT: the lifecycle-api binds each on GRPC_HOST',
    ]);
    expect(problemsOf({ ...minimal, GRPC_PORT: '9464' })).toEqual(['METRICS_PORT must differ from GRPC_PORT: the lifecycle-api binds each on GRPC_HOST']);
    expect(problemsOf({ ...minimal, GRPC_HEALTH_PORT: '9000', METRICS_PORT: '9000' })).toEqual([
      'METRICS_PORT must differ from GRPC_HEALTH_PORT: the lifecycle-api binds each on GRPC_HOST',
    ]);
    // 0 binds a free port of the system's choosing (metrics off, for METRICS_PORT): never a collision.
    expect(loadConfig({ ...minimal, GRPC_PORT: '0', METRICS_PORT: '0', GRPC_HEALTH_PORT: '7002' }).grpc).toMatchObject({ port: 0, healthPort: 7002 });
  });

  it('selects the in-process cache with CACHE=memory and refuses other backends', () => {
    expect(loadConfig({ ...minimal, CACHE: 'memory' }).cache).toEqual({ backend: 'memory' });
    expect(problemsOf({ ...minimal, CACHE: 'memcached' })).toEqual(['CACHE must be redis or memory']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...minimal, REST_PORT: '' }).rest.port).toBe(7001);
  });

  it('names a missing required variable', () => {
    expect(problemsOf({})).toEqual(['DATABASE_URL is required']);
  });

  it('names each invalid variable without echoing its value', () => {
    const problems = problemsOf({
      DATABASE_URL: 'mysql://root:hunter2@x/y',
      REST_PORT: '70000',
      DATABASE_MIGRATE_ON_START: 'maybe',
    });

    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('DATABASE_URL '))).toMatch(/postgres/);
    expect(problems.some((p) => p.startsWith('REST_PORT '))).toBe(true);
    expect(problems.find((p) => p.startsWith('DATABASE_MIGRATE_ON_START '))).toMatch(/true or false/);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('returns a frozen object', () => {
    const config = loadConfig(minimal);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('redacts credentials passed as URL query parameters', () => {
    const redacted = redactConfig(
      loadConfig({ DATABASE_URL: 'postgresql://db/dsts?password=hunter2&sslmode=require&sslkey=/k&sslpassword=pw2' }),
    );

    expect(redacted.database.url).not.toMatch(/hunter2|pw2|\/k/);
    expect(redacted.database.url).toContain('sslmode=require');
  });

  it('accepts only decimal port numbers', () => {
    expect(problemsOf({ ...minimal, REST_PORT: '0x4500' })[0]).toMatch(/^REST_PORT /);
    expect(problemsOf({ ...minimal, GRPC_PORT: '1e3' })[0]).toMatch(/^GRPC_PORT /);
  });

  it('redacts passwords in URLs for logging', () => {
    const redacted = redactConfig(loadConfig({ ...minimal, REDIS_URL: 'redis://:pw@cache:6379' }));

    expect(JSON.stringify(redacted)).not.toContain('s3cret');
    expect(JSON.stringify(redacted)).not.toContain(':pw@');
    expect(redacted.database.url).toBe('postgresql://dsts:***@db.internal:5432/dsts');
  });

  it('defaults signing keys to RSA-4096 RS512 with pre-published rotation, and the auth settings', () => {
    const config = loadConfig(minimal);

    expect(config.signingKeys).toEqual({
      algorithm: 'RS512',
      rsaBits: 4096,
      encryptionKey: undefined,
      insecureDevEncryption: false,
      activationDelaySeconds: 3600,
      rotationDays: 0,
      refreshSeconds: 30,
    });
    expect(config.jwks).toEqual({ maxAgeSeconds: 300 });
    expect(config.appsFile).toBeUndefined();
    expect(config.devices).toEqual({ allowEcP256: false, cacheTtlSeconds: 60 });
    expect(config.rateLimit).toEqual({ perMinute: 600, failuresPerMinute: 10 });
  });

  it('reads the signing-key, apps, device and rate-limit variables', () => {
    const config = loadConfig({
      ...minimal,
      SIGNING_KEY_ALGORITHM: 'PS256',
      SIGNING_KEY_RSA_BITS: '3072',
      SIGNING_KEY_ACTIVATION_DELAY_SECONDS: '600',
      SIGNING_KEY_ROTATION_DAYS: '90',
      SIGNING_KEY_REFRESH_SECONDS: '10',
      JWKS_MAX_AGE_SECONDS: '60',
      APPS_FILE: '/etc/dsts/apps.yaml',
      DEVICE_CACHE_TTL_SECONDS: '5',
      DEVICE_CERT_ALLOW_EC_P256: 'true',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_FAILURES_PER_MINUTE: '3',
    });

    expect(config.signingKeys).toMatchObject({ algorithm: 'PS256', rsaBits: 3072, activationDelaySeconds: 600, rotationDays: 90, refreshSeconds: 10 });
    expect(config.jwks.maxAgeSeconds).toBe(60);
    expect(config.appsFile).toBe('/etc/dsts/apps.yaml');
    expect(config.devices).toEqual({ allowEcP256: true, cacheTtlSeconds: 5 });
    expect(config.rateLimit).toEqual({ perMinute: 0, failuresPerMinute: 3 });
  });

  it('trusts no proxy unless TRUST_PROXY names a hop count or the proxies', () => {
    const trustProxy = (value: string) => loadConfig({ ...minimal, TRUST_PROXY: value }).rest.trustProxy;

    expect(trustProxy('')).toBe(false);
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('loopback, 10.0.0.0/8,fd00:1::/32 ,192.0.2.7')).toEqual(['loopback', '10.0.0.0/8', 'fd00:1::/32', '192.0.2.7']);
    for (const bad of ['true', '*', '10.0.0.0/33', 'fd00::/129', 'proxy.internal', '10.0.0.1,', '1.2.3.4/8/8']) {
      expect(problemsOf({ ...minimal, TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY must be a hop count or a comma-separated list/)]);
    }
  });

  it('refuses at load, naming TRUST_PROXY, what Express would refuse only when the gateway starts', () => {
    for (const bad of ['0.0.0.0/0', '::/0', 'loopback,10.0.0.0/00', '64:ff9b::192.0.2.1']) {
      expect(problemsOf({ ...minimal, TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY has an entry Express's `trust proxy` refuses/)]);
    }
    expect(problemsOf({ ...minimal, TRUST_PROXY: '0.0.0.0/0' })).toEqual([
      "TRUST_PROXY has an entry Express's `trust proxy` refuses (invalid range on address): a subnet needs a prefix of at least /1 (/0 would trust every peer)",
    ]);
    expect(loadConfig({ ...minimal, TRUST_PROXY: '10.0.0.0/8,::ffff:10.0.0.0/104' }).rest.trustProxy).toEqual(['10.0.0.0/8', '::ffff:10.0.0.0/104']);
  });

  // Regression: only /0 was refused, so these trusted (nearly) every peer, and
  // any client could choose its address for the rate limits and the audit log.
  it.each([
    ['::ffff:0.0.0.0/96', 'the IPv4-mapped form of 0.0.0.0/0'],
    ['0.0.0.0/1,128.0.0.0/1', 'two halves of the IPv4 space'],
    ['::/1,8000::/1', 'two halves of the IPv6 space'],
    ['10.0.0.0/7', 'an IPv4 subnet shorter than /8'],
    ['2001:db8::/31', 'an IPv6 subnet shorter than /32'],
    ['::ffff:10.0.0.0/103', 'an IPv4-mapped subnet shorter than /8 once mapped'],
    ['loopback,192.0.2.0/24,::ffff:0:0/96', 'one such entry among good ones'],
  ])('refuses TRUST_PROXY=%s (%s), saying why without repeating it', (value) => {
    const problems = problemsOf({ ...minimal, TRUST_PROXY: value });
    expect(problems).toEqual([
      'TRUST_PROXY has a subnet too large to be proxies (IPv4 shorter than /8, IPv6 shorter than /32, IPv4-mapped IPv6 judged as IPv4): trusting it would let clients choose their own address; name the proxies, or use loopback/linklocal/uniquelocal',
    ]);
  });

  it('accepts subnets at the limits, and the presets (whose IPv6 ranges are wider, but private)', () => {
    const accepted = ['10.0.0.0/8', '2001:db8::/32', '::ffff:10.0.0.0/104', '::ffff:192.0.2.1', 'fd00::1', 'loopback', 'linklocal', 'uniquelocal'];
    expect(loadConfig({ ...minimal, TRUST_PROXY: accepted.join(',') }).rest.trustProxy).toEqual(accepted);
  });

  // Regression: any two-digit hop count was accepted, 99 trusting every X-Forwarded-For entry a client writes.
  it('accepts a hop count up to 10 and refuses more, naming TRUST_PROXY and why', () => {
    expect(loadConfig({ ...minimal, TRUST_PROXY: '10' }).rest.trustProxy).toBe(10);
    for (const hops of ['11', '99', '100']) {
      expect(problemsOf({ ...minimal, TRUST_PROXY: hops })).toEqual([
        'TRUST_PROXY must be a hop count of at most 10: more proxies than that in front of the gateway is implausible, and each trusted hop is an X-Forwarded-For entry a client may have written',
      ]);
    }
  });

  it('accepts EdDSA (Ed25519) keys and spells the algorithm exactly as JWS does', () => {
    expect(loadConfig({ ...minimal, SIGNING_KEY_ALGORITHM: 'EdDSA' }).signingKeys.algorithm).toBe('EdDSA');
    expect(problemsOf({ ...minimal, SIGNING_KEY_ALGORITHM: 'Ed25519' })).toEqual([expect.stringMatching(/^SIGNING_KEY_ALGORITHM /)]);
  });

  it('refuses an activation delay shorter than key refresh plus JWKS caching', () => {
    expect(problemsOf({ ...minimal, SIGNING_KEY_ACTIVATION_DELAY_SECONDS: '100', JWKS_MAX_AGE_SECONDS: '300' })).toEqual([
      'SIGNING_KEY_ACTIVATION_DELAY_SECONDS must be at least SIGNING_KEY_REFRESH_SECONDS + JWKS_MAX_AGE_SECONDS',
    ]);
  });

  it('refuses an unknown algorithm and a malformed encryption key without echoing it', () => {
    const problems = problemsOf({ ...minimal, SIGNING_KEY_ALGORITHM: 'HS256', SIGNING_KEY_ENCRYPTION_KEY: 'c2hvcnQ=' });

    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.startsWith('SIGNING_KEY_ALGORITHM '))).toBe(true);
    expect(problems.find((p) => p.startsWith('SIGNING_KEY_ENCRYPTION_KEY '))).toMatch(/32 bytes/);
    expect(problems.join('\n')).not.toContain('c2hvcnQ=');
  });

  describe('signingKeyEncryptionKey', () => {
    it('decodes the configured key', () => {
      const key = randomBytes(32);
      const config = loadConfig({ ...minimal, SIGNING_KEY_ENCRYPTION_KEY: key.toString('base64') });
      expect(signingKeyEncryptionKey(config).equals(key)).toBe(true);
    });

    it('refuses to go on without one, naming the variable and the development switch', () => {
      expect(() => signingKeyEncryptionKey(loadConfig(minimal))).toThrow(ConfigError);
      expect(() => signingKeyEncryptionKey(loadConfig(minimal))).toThrow(/SIGNING_KEY_ENCRYPTION_KEY is required.*SIGNING_KEY_ENCRYPTION_INSECURE_DEV=true/);
    });

    it('uses a fixed development key only when explicitly asked to', () => {
      const dev = loadConfig({ ...minimal, SIGNING_KEY_ENCRYPTION_INSECURE_DEV: 'true' });
      expect(signingKeyEncryptionKey(dev)).toHaveLength(32);
      expect(signingKeyEncryptionKey(dev).equals(signingKeyEncryptionKey(dev))).toBe(true);
    });

    it('is masked when the config is logged', () => {
      const key = randomBytes(32).toString('base64');
      const redacted = redactConfig(loadConfig({ ...minimal, SIGNING_KEY_ENCRYPTION_KEY: key }));
      expect(JSON.stringify(redacted)).not.toContain(key);
      expect(redacted.signingKeys.encryptionKey).toBe('***');
    });
  });
});
