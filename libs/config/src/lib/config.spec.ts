import { ConfigError, loadConfig, redactConfig } from './config';

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

    expect(config.rest).toEqual({ host: '0.0.0.0', port: 7001 });
    expect(config.grpc).toEqual({ host: '0.0.0.0', port: 7000, maxReceiveMessageBytes: 8 * 1024 * 1024, realStatusCodes: false });
    expect(config.devices).toEqual({ allowEcP256: false, cacheTtlSeconds: 60 });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'dsts:' });
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
    });

    expect(config.rest.port).toBe(8081);
    expect(config.grpc.port).toBe(9091);
    expect(config.database.poolMax).toBe(3);
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.redis).toEqual({ url: 'rediss://cache:6380', keyPrefix: 'x:' });
    expect(config.tokens.issuer).toBe('Acme STS');
    expect(config.logLevel).toBe('debug');
    expect(config.grpc).toMatchObject({ maxReceiveMessageBytes: 5_242_880, realStatusCodes: true });
    expect(config.devices).toEqual({ allowEcP256: true, cacheTtlSeconds: 30 });
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
});
