import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createLifecycleClient, LifecycleCallError } from '@dsts/client';
import { createPrismaClient } from '@dsts/db';
import {
  type BuiltServices,
  createTemporaryDatabase,
  createTestApp,
  freePort,
  metricValue,
  signClientAssertion,
  startBuiltServices,
  type TemporaryDatabase,
  writeAppsFile,
} from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';
import { parse } from 'yaml';

const BUILD = resolve(__dirname, '../../../dist/apps/lifecycle-api');

/** `node migrate.js` from the build output, as the Kubernetes Job and compose's `migrate` service run it. */
function runMigrate(env: Record<string, string>) {
  return spawnSync(process.execPath, ['migrate.js'], { cwd: BUILD, env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
}

/** A failed start's output: exactly one JSON log line, at fatal. */
function startFailure(stderr: string): Record<string, unknown> {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
  expect(line).toMatchObject({ level: 'fatal', msg: 'failed to start' });
  return line;
}

/**
 * The built lifecycle-api (dist/apps/lifecycle-api) as processes: the
 * standalone migration entry, then the service on the database it migrated,
 * with its Prometheus endpoint on METRICS_PORT.
 */
describe('built lifecycle-api', () => {
  const reporting = createTestApp('reporting');
  let database: TemporaryDatabase;
  let services: BuiltServices | undefined;

  beforeAll(async () => {
    database = await createTemporaryDatabase('dsts_built');
  });
  afterAll(async () => {
    await services?.stop();
    await database?.drop();
  });

  it('migrate.js applies the migrations and exits 0, again with nothing to do, and exits 1 when it cannot', async () => {
    const first = runMigrate({ DATABASE_URL: database.url });
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    expect(first.stdout).toMatch(/"msg":"database migrated"/);
    const prisma = createPrismaClient({ databaseUrl: database.url });
    expect(await prisma.managementService.count().finally(() => prisma.$disconnect())).toBe(3);

    const again = runMigrate({ DATABASE_URL: database.url });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/"applied":\[\],"alreadyApplied":[1-9]/);

    const unreachable = runMigrate({ DATABASE_URL: `postgresql://postgres:unreachable-pw@127.0.0.1:${await freePort()}/dsts` });
    expect({ status: unreachable.status, stderr: startFailure(unreachable.stderr) }).toEqual({
      status: 1,
      stderr: expect.objectContaining({ service: 'dsts-migrate', cause: expect.stringMatching(/ECONNREFUSED/) }),
    });
    expect(unreachable.stderr).not.toContain('unreachable-pw');
    const unconfigured = runMigrate({});
    expect({ status: unconfigured.status, stderr: startFailure(unconfigured.stderr) }).toEqual({
      status: 1,
      stderr: expect.objectContaining({ cause: 'invalid configuration', problems: ['DATABASE_URL is required'] }),
    });
  }, 120_000);

  it('stops on a database that is not migrated when told not to migrate, naming the pending migrations, no password printed', async () => {
    const unmigrated = await createTemporaryDatabase('dsts_built_unmigrated');
    try {
      const databaseUrl = Object.assign(new URL(unmigrated.url), { password: 'unmigrated-pw-51c2' }).toString();
      const started = spawnSync(process.execPath, ['main.js'], {
        cwd: BUILD,
        env: {
          PATH: process.env['PATH'] ?? '',
          DATABASE_URL: databaseUrl,
          DATABASE_MIGRATE_ON_START: 'false',
          SIGNING_KEY_ENCRYPTION_INSECURE_DEV: 'true',
          LIFECYCLE_AUTH: 'insecure-compat',
          GRPC_PORT: '0',
          METRICS_PORT: '0',
          LOG_LEVEL: 'warn',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: started.status, stderr: startFailure(started.stderr) }).toEqual({
        status: 1,
        stderr: expect.objectContaining({
          service: 'lifecycle-api',
          cause: expect.stringMatching(/^database is not migrated: 2 pending migration\(s\) \(20261203000000_init, 20261215000000_audit\); run migrate\.js/),
        }),
      });
      expect(started.stdout + started.stderr).not.toContain('unmigrated-pw-51c2');
    } finally {
      await unmigrated.drop();
    }
  }, 60_000);

  /** What the calls below handled that must never reach a log line. */
  const secrets: string[] = [];

  it('serves Prometheus metrics on METRICS_PORT that count its RPCs, app tokens and database operations', async () => {
    // A password in the URL (Postgres here trusts local connections, so it is only carried along) and every log level.
    const databaseUrl = Object.assign(new URL(database.url), { password: 'db-password-9f3a' }).toString();
    const encryptionKey = randomBytes(32).toString('base64');
    services = await startBuiltServices({
      env: {
        DATABASE_URL: databaseUrl,
        DATABASE_MIGRATE_ON_START: 'false',
        APPS_FILE: writeAppsFile([reporting]),
        SIGNING_KEY_ENCRYPTION_KEY: encryptionKey,
        LOG_LEVEL: 'trace',
      },
    });
    secrets.push('db-password-9f3a', encryptionKey);
    const client = createLifecycleClient(services.grpcAddress, services.tls.credentials(services.tls.admin));
    const authenticate = async (nonce?: string) => {
      const challenge = nonce ?? (await client.call('getAppAuthenticationChallenge', { appId: reporting.id })).challenge;
      const assertion = signClientAssertion({ subject: reporting.id, nonce: challenge, privateKey: reporting.privateKey });
      secrets.push(challenge, assertion, assertion.split('.')[2] as string);
      return client.call('authenticateApp', { appId: reporting.id, assertionType: JWT_BEARER_ASSERTION_TYPE, assertion });
    };
    try {
      const { token } = await client.call('createEnrollmentToken', { tid: 'metrics-tenant' });
      secrets.push(token?.token as string);
      expect((await client.call('validateEnrollmentToken', { token: token?.token })).isValid).toBe(true);
      await expect(client.call('getDevice', { tid: 'metrics-tenant', deviceId: 'missing' })).rejects.toBeInstanceOf(LifecycleCallError);
      const { accessToken } = await authenticate();
      secrets.push(accessToken, accessToken.split('.')[2] as string);
      await expect(authenticate('never-issued')).rejects.toMatchObject({ message: expect.stringMatching(/^UNAUTHENTICATED/) });
    } finally {
      client.close();
    }

    const response = await fetch(services.lifecycleMetricsUrl);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const rpcs = (method: string, code: string) => metricValue(text, 'dsts_requests_total', { transport: 'grpc', method, code, service: 'lifecycle-api' });
    expect({
      createEnrollmentToken: rpcs('CreateEnrollmentToken', 'OK'),
      getDevice: rpcs('GetDevice', 'NOT_FOUND'),
      authenticateApp: rpcs('AuthenticateApp', 'OK'),
      refusedAuthenticateApp: rpcs('AuthenticateApp', 'UNAUTHENTICATED'),
      issued: metricValue(text, 'dsts_tokens_issued_total', { subject: 'app' }),
      denied: metricValue(text, 'dsts_tokens_denied_total', { subject: 'app', reason: 'CHALLENGE_MISSING' }),
      tokenInserts: metricValue(text, 'dsts_db_query_duration_seconds_count', { model: 'EnrollmentToken', operation: 'create', outcome: 'ok' }),
    }).toEqual({ createEnrollmentToken: 1, getDevice: 1, authenticateApp: 1, refusedAuthenticateApp: 1, issued: 1, denied: 1, tokenInserts: 1 });
    expect(text).toContain('dsts_request_duration_seconds_bucket{');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect((await fetch(services.lifecycleMetricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  }, 60_000);

  it("answers docker-compose.yml's healthcheck command: exit 0 while serving, 1 without a server", async () => {
    const compose = parse(readFileSync(resolve(__dirname, '../../../docker-compose.yml'), 'utf8'), { merge: true });
    const [kind, node, flag, script] = compose.services['lifecycle-api'].healthcheck.test as string[];
    expect([kind, node, flag]).toEqual(['CMD', 'node', '-e']);
    // Run where the image runs it: next to the bundle (node_modules resolve upwards here, in /app there).
    const check = (port: string) => spawnSync(process.execPath, ['-e', script as string], { cwd: BUILD, env: { PATH: process.env['PATH'] ?? '', GRPC_HEALTH_PORT: port }, timeout: 30_000 }).status;
    // Its 2 s deadline can pass on a loaded CI machine; compose retries it (`retries`), and so does this test, a few times.
    const healthPort = (services as BuiltServices).grpcHealthAddress.split(':')[1] as string;
    const statuses = [check(healthPort)];
    while (statuses[statuses.length - 1] !== 0 && statuses.length < 3) statuses.push(check(healthPort));
    expect(statuses[statuses.length - 1]).toBe(0);
    expect(check(String(await freePort()))).toBe(1);
  });

  it('logs none of them: enrollment tokens, challenges, assertions, access tokens, key-encryption key, database password', () => {
    const output = (services as BuiltServices).output();
    // Both services logged their (redacted) configuration at start, the URL among it.
    expect(output.match(/"msg":"starting"/g)).toHaveLength(2);
    expect(output).toContain(`"url":"${Object.assign(new URL(database.url), { password: '***' }).toString()}"`);
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const secret of secrets) expect({ secret, logged: output.includes(secret) }).toEqual({ secret, logged: false });
    expect(output).not.toMatch(/PRIVATE KEY|"d":"/);
  });
});
