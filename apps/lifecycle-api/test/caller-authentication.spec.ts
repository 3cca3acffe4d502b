import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type Client, type GrpcObject, loadPackageDefinition, Metadata, type ServiceClientConstructor, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { channelCredentials, fetchAppToken, createLifecycleClient, type LifecycleCredentials } from '@dsts/client';
import { ConfigError } from '@dsts/config';
import { accessTokenClaims, createTokenIssuer } from '@dsts/tokens';
import { createTestApp, createTestPki, freePort, signJws, type TestCertificate } from '@dsts/testing';
import { OPEN, RPC_PERMISSIONS } from '../src/app/rpc-permissions';
import { type DeepPartial, type RequestOf, type RpcName, type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

const HOUR = 3_600_000;
const uniqueId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** Every operation that needs a permission, with a request that reaches its handler. */
const PROTECTED = (Object.keys(RPC_PERMISSIONS) as RpcName[]).filter((name) => RPC_PERMISSIONS[name] !== OPEN);
const requestOf = (name: RpcName): DeepPartial<RequestOf<RpcName>> => (name === 'getSigningKey' ? {} : { header: v1(`auth-${name}`) });

const codeOf = (call: Promise<unknown>) =>
  call.then(
    () => 'OK',
    (error: ServiceError) => `${GrpcStatus[error.code]}: ${error.details}`,
  );

describe('caller authentication on the lifecycle-api (mTLS, app bearer tokens, permissions)', () => {
  const reporting = createTestApp(uniqueId('reporting'));
  const ungranted = createTestApp(uniqueId('ungranted'));
  const retired = createTestApp(uniqueId('retired'));
  const logLines: string[] = [];
  let api: RunningLifecycleApi;
  let reader: TestCertificate;
  let nobody: TestCertificate;
  let strangerFromElsewhere: TestCertificate;

  beforeAll(async () => {
    const otherCa = await createTestPki('Some Other CA');
    strangerFromElsewhere = await otherCa.issue({ subject: [{ O: ['DSTS tests'] }, { CN: ['dsts-test-admin'] }], usage: 'client' });
    api = await startLifecycleApi({
      grants: {
        certificates: { 'CN=reader,O=DSTS tests': ['devices:read'] },
        apps: { [reporting.id]: ['devices:read', 'keys:read'], [retired.id]: ['devices:write'] },
      },
      env: { GRPC_HEALTH_PORT: String(await freePort()) },
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    });
    const tls = api.tls as NonNullable<typeof api.tls>;
    [reader, nobody] = await Promise.all([
      tls.pki.issue({ subject: [{ O: ['DSTS tests'] }, { CN: ['reader'] }], usage: 'client' }),
      tls.pki.issue({ subject: [{ O: ['DSTS tests'] }, { CN: ['nobody'] }], usage: 'client' }),
    ]);
    // Inserted directly: an APPS_FILE sync would disable the apps of the other spec files.
    await api.prisma.registeredApp.createMany({
      data: [reporting, ungranted, retired].map((app) => ({ id: app.id, name: app.name, publicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string })),
    });
  });
  afterAll(() => api?.close());

  const tls = () => api.tls as NonNullable<typeof api.tls>;
  const withCertificate = (certificate?: TestCertificate) => tls().credentials(certificate);
  const withToken = (token: string) => tls().credentials(undefined, token);
  const callAs = (credentials: LifecycleCredentials, name: RpcName, metadata?: Metadata) => codeOf(api.call(name, requestOf(name), { credentials, metadata }));
  /** What every protected operation answers `credentials`, as `RPC → "CODE: details"`. */
  const everyProtected = async (credentials: LifecycleCredentials, metadata?: Metadata) =>
    Object.fromEntries(await Promise.all(PROTECTED.map(async (name) => [name, await callAs(credentials, name, metadata)])));
  const all = (answer: string) => Object.fromEntries(PROTECTED.map((name) => [name, answer]));
  const UNAUTHENTICATED = 'UNAUTHENTICATED: authentication required';
  const PERMISSION_DENIED = 'PERMISSION_DENIED: permission denied';

  const appToken = async (app = reporting) => {
    const client = createLifecycleClient(api.address, withCertificate());
    try {
      return (await fetchAppToken(client, app.id, app.privateKey)).accessToken;
    } finally {
      client.close();
    }
  };
  const tokenIssuedBy = (issuer: string, at: Date) => createTokenIssuer({ keys: api.tokenServices.keys, issuer, clock: () => at });

  it('lets the admin certificate reach every operation', async () => {
    expect(await everyProtected(withCertificate(tls().admin))).toEqual(all('OK'));
  });

  it('refuses every protected operation without credentials (TLS without a client certificate)', async () => {
    expect(await everyProtected(withCertificate())).toEqual(all(UNAUTHENTICATED));
  });

  it('refuses a client certificate from another CA, even with the admin subject', async () => {
    expect(await everyProtected(withCertificate(strangerFromElsewhere))).toEqual(all(UNAUTHENTICATED));
  });

  it('trusts an admin-CA certificate by its extendedKeyUsage as RFC 5280 reads it: clientAuth or no EKU at all; an EKU without clientAuth is refused', async () => {
    const readerAs = (usage: 'client' | 'server' | 'any') => tls().pki.issue({ subject: [{ O: ['DSTS tests'] }, { CN: ['reader'] }], usage });
    const [client, serverOnly, unrestricted] = await Promise.all([readerAs('client'), readerAs('server'), readerAs('any')]);
    expect(await callAs(withCertificate(client), 'listDevices')).toBe('OK');
    expect(await callAs(withCertificate(unrestricted), 'listDevices')).toBe('OK');
    expect(await callAs(withCertificate(serverOnly), 'listDevices')).toBe(UNAUTHENTICATED);
  });

  it('refuses an expired app token', async () => {
    const expired = await tokenIssuedBy(api.config.tokens.issuer, new Date(Date.now() - 4 * HOUR)).issue({ typ: 'app', appId: reporting.id });
    expect(await everyProtected(withToken(expired.accessToken))).toEqual(all(UNAUTHENTICATED));
  });

  it('refuses tokens from another issuer: our key with another iss, and another key altogether', async () => {
    const otherIss = await tokenIssuedBy('Some Other STS', new Date()).issue({ typ: 'app', appId: reporting.id });
    expect(await everyProtected(withToken(otherIss.accessToken))).toEqual(all(UNAUTHENTICATED));

    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const claims = accessTokenClaims({ typ: 'app', appId: reporting.id }, api.config.tokens.issuer, new Date()) as unknown as Record<string, unknown>;
    const foreign = signJws({ alg: 'RS512', kid: 'someone-elses-key', typ: 'JWT' }, claims, foreignKey);
    expect(await everyProtected(withToken(foreign))).toEqual(all(UNAUTHENTICATED));
  });

  it('refuses a device token signed by this very service', async () => {
    const device = await tokenIssuedBy(api.config.tokens.issuer, new Date()).issue({ typ: 'device', deviceId: reporting.id, tenantId: 'acme', managementService: 'none' });
    expect(await everyProtected(withToken(device.accessToken))).toEqual(all(UNAUTHENTICATED));
  });

  it('refuses authorization that is not one bearer token, whatever certificate comes with it', async () => {
    const basic = new Metadata();
    basic.set('authorization', 'Basic YWRtaW46YWRtaW4=');
    expect(await everyProtected(withCertificate(tls().admin), basic)).toEqual(all(UNAUTHENTICATED));
    const empty = new Metadata();
    empty.set('authorization', 'Bearer ');
    expect(await everyProtected(withCertificate(), empty)).toEqual(all(UNAUTHENTICATED));
  });

  it('refuses identities without the permission: PERMISSION_DENIED', async () => {
    expect(await everyProtected(withCertificate(nobody))).toEqual(all(PERMISSION_DENIED));
    expect(await everyProtected(withToken(await appToken(ungranted)))).toEqual(all(PERMISSION_DENIED));
  });

  it('admits exactly what a partial grant allows, for certificates and for app tokens', async () => {
    const allowed = (permissions: string[]) =>
      Object.fromEntries(PROTECTED.map((name) => [name, permissions.includes(RPC_PERMISSIONS[name]) ? 'OK' : PERMISSION_DENIED]));
    expect(await everyProtected(withCertificate(reader))).toEqual(allowed(['devices:read']));
    // A bearer token decides even next to a certificate with more rights.
    expect(await everyProtected(tls().credentials(tls().admin, await appToken()))).toEqual(
      allowed(['devices:read', 'keys:read']),
    );
  });

  it('keeps Ping, app authentication, health and reflection open without credentials', async () => {
    const anonymous = withCertificate();
    await expect(api.call('ping', { message: 'hi' }, { credentials: anonymous })).resolves.toMatchObject({ message: 'hi' });
    expect(await appToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const health = healthClient(api.address, anonymous);
    try {
      await expect(check(health, 'krypton.dsts.DeviceSTS')).resolves.toEqual({ status: 'SERVING' });
    } finally {
      health.close();
    }
    // Reflection without a client certificate: reflection.spec.ts drives it with buf curl.
  });

  it('serves the health service alone in plaintext on GRPC_HEALTH_PORT, for probes that cannot do TLS', async () => {
    const address = `127.0.0.1:${api.config.grpc.healthPort}`;
    const health = healthClient(address, 'insecure');
    try {
      await expect(check(health, '')).resolves.toEqual({ status: 'SERVING' });
      await expect(check(health, 'krypton.dsts.DeviceSTS')).resolves.toEqual({ status: 'SERVING' });
    } finally {
      health.close();
    }
    const plaintext = createLifecycleClient(address, 'insecure');
    try {
      await expect(plaintext.call('getDevice', { tid: 'acme', deviceId: 'd' })).rejects.toMatchObject({ status: GrpcStatus.UNIMPLEMENTED });
    } finally {
      plaintext.close();
    }
  });

  it('logs why a call was refused, never the token', async () => {
    const expired = await tokenIssuedBy(api.config.tokens.issuer, new Date(Date.now() - 4 * HOUR)).issue({ typ: 'app', appId: reporting.id });
    await callAs(withToken(expired.accessToken), 'listDevices');
    await callAs(withCertificate(nobody), 'deleteDevice');
    const refusals = logLines.filter((line) => line.includes('"call refused"')).map((line) => JSON.parse(line));
    expect(refusals).toContainEqual(
      expect.objectContaining({ method: 'ListDevices', code: 'UNAUTHENTICATED', reason: 'access token is expired', requestId: 'auth-listDevices' }),
    );
    expect(refusals).toContainEqual(
      expect.objectContaining({ method: 'DeleteDevice', code: 'PERMISSION_DENIED', reason: 'certificate CN=nobody,O=DSTS tests lacks devices:write' }),
    );
    expect(logLines.join('')).not.toContain(expired.accessToken.split('.')[2]);
  });

  const auditLines = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['log'] === 'audit');
  /** The audit lines of one DeleteDevice call made with `credentials`, labelled with a request id of its own. */
  const auditOfRefused = async (credentials: LifecycleCredentials, metadata?: Metadata) => {
    const requestId = uniqueId('refused');
    const answer = await codeOf(api.call('deleteDevice', { header: v1(requestId), tid: 'acme', deviceId: 'printer-1' }, { credentials, metadata }));
    return { answer, lines: auditLines().filter((line) => line['requestId'] === requestId), requestId };
  };
  const reasonOf = async (credentials: LifecycleCredentials, metadata?: Metadata) => {
    const { answer, lines } = await auditOfRefused(credentials, metadata);
    return [answer, ...lines.map((line) => `${(line['actor'] as { kind: string }).kind} ${String(line['outcome'])} ${String(line['reason'])}`)];
  };

  it('writes one audit line per refusal: operation, who (when known), tenant and device, the request id the caller sent, client address', async () => {
    const { lines, requestId } = await auditOfRefused(withCertificate());
    expect(lines).toEqual([
      {
        level: 'info',
        time: expect.any(String),
        service: 'lifecycle-api',
        log: 'audit',
        msg: 'audit',
        operation: 'DeleteDevice',
        actor: { kind: 'anonymous', id: 'anonymous' },
        tenantId: 'acme',
        deviceId: 'printer-1',
        outcome: 'unauthenticated',
        reason: 'NO_CREDENTIALS',
        requestId,
        clientIp: '127.0.0.1',
      },
    ]);
    const denied = await auditOfRefused(withCertificate(nobody));
    expect(denied.lines).toEqual([
      expect.objectContaining({ operation: 'DeleteDevice', actor: { kind: 'certificate', id: 'CN=nobody,O=DSTS tests' }, outcome: 'permission_denied', reason: 'PERMISSION_NOT_GRANTED' }),
    ]);
  });

  it('names the specific reason of each refusal in the audit line (a code), while the caller gets the same answer for all', async () => {
    const device = await tokenIssuedBy(api.config.tokens.issuer, new Date()).issue({ typ: 'device', deviceId: reporting.id, tenantId: 'acme', managementService: 'none' });
    const expired = await tokenIssuedBy(api.config.tokens.issuer, new Date(Date.now() - 4 * HOUR)).issue({ typ: 'app', appId: reporting.id });
    const otherIss = await tokenIssuedBy('Some Other STS', new Date()).issue({ typ: 'app', appId: reporting.id });
    const unregistered = await tokenIssuedBy(api.config.tokens.issuer, new Date()).issue({ typ: 'app', appId: uniqueId('never-registered') });
    const claims = accessTokenClaims({ typ: 'app', appId: reporting.id }, api.config.tokens.issuer, new Date()) as unknown as Record<string, unknown>;
    const foreign = signJws({ alg: 'RS512', kid: 'someone-elses-key', typ: 'JWT' }, claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const retiredToken = await appToken(retired);
    await api.prisma.registeredApp.update({ where: { id: retired.id }, data: { isEnabled: false } });
    const authorization = (value: string) => {
      const metadata = new Metadata();
      metadata.set('authorization', value);
      return metadata;
    };
    const refused = (reason: string) => [UNAUTHENTICATED, `anonymous unauthenticated ${reason}`];

    expect(await reasonOf(withCertificate())).toEqual(refused('NO_CREDENTIALS'));
    // grpc-js hands the service no certificate the admin CA does not vouch for: it is the same as none.
    expect(await reasonOf(withCertificate(strangerFromElsewhere))).toEqual(refused('NO_CREDENTIALS'));
    expect(await reasonOf(withCertificate(), authorization('Basic YWRtaW46YWRtaW4='))).toEqual(refused('AUTHORIZATION_NOT_BEARER'));
    expect(await reasonOf(withToken(expired.accessToken))).toEqual(refused('ACCESS_TOKEN_EXPIRED'));
    expect(await reasonOf(withToken(otherIss.accessToken))).toEqual(refused('ACCESS_TOKEN_WRONG_ISSUER'));
    expect(await reasonOf(withToken(foreign))).toEqual(refused('ACCESS_TOKEN_UNKNOWN_KEY'));
    expect(await reasonOf(withToken('not.a.jwt'))).toEqual(refused('ACCESS_TOKEN_MALFORMED'));
    expect(await reasonOf(withToken(device.accessToken))).toEqual(refused('ACCESS_TOKEN_NOT_APP_TOKEN'));
    // Tokens we signed, so their app id is verified: the audit line names that app.
    expect(await reasonOf(withToken(unregistered.accessToken))).toEqual([UNAUTHENTICATED, 'app unauthenticated APP_NOT_FOUND']);
    expect(await reasonOf(withToken(retiredToken))).toEqual([UNAUTHENTICATED, 'app unauthenticated APP_DISABLED']);
    expect((await auditOfRefused(withToken(retiredToken))).lines).toEqual([expect.objectContaining({ actor: { kind: 'app', id: retired.id } })]);
    expect(await reasonOf(withCertificate(reader))).toEqual([PERMISSION_DENIED, 'certificate permission_denied PERMISSION_NOT_GRANTED']);
    expect(await reasonOf(withToken(await appToken(ungranted)))).toEqual([PERMISSION_DENIED, 'app permission_denied PERMISSION_NOT_GRANTED']);
  });

  it('labels a refusal with a fresh request id when the request carries none that could be echoed', async () => {
    const before = auditLines().length;
    await codeOf(api.call('getSigningKey', {}, { credentials: withCertificate() }));
    await codeOf(api.call('getDevice', { header: v1('bad\u0000id'), tid: 'acme\u0000', deviceId: 'printer-1' }, { credentials: withCertificate() }));
    expect(auditLines().slice(before)).toEqual([
      expect.objectContaining({ operation: 'GetSigningKey', reason: 'NO_CREDENTIALS', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
      expect.objectContaining({ operation: 'GetDevice', reason: 'NO_CREDENTIALS', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), deviceId: 'printer-1' }),
    ]);
    expect(auditLines().slice(before)[1]).not.toHaveProperty('tenantId');
  });
});

describe('lifecycle-api in compatibility mode (LIFECYCLE_AUTH=insecure-compat)', () => {
  it('serves plaintext without credentials, as the original, and warns at start', async () => {
    const lines: string[] = [];
    const api = await startLifecycleApi({
      auth: 'insecure-compat',
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    try {
      expect(lines.map((line) => JSON.parse(line))).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('LIFECYCLE_AUTH=insecure-compat: the lifecycle-api is plaintext and unauthenticated') }),
      );
      const client = createLifecycleClient(api.address, 'insecure');
      try {
        const tid = uniqueId('compat');
        await expect(client.call('createEnrollmentToken', { tid })).resolves.toMatchObject({ token: { token: expect.any(String) } });
        await expect(client.call('deleteEnrollmentToken', { tid })).resolves.toMatchObject({ header: { status: 0 } });
      } finally {
        client.close();
      }
    } finally {
      await api.close();
    }
  });
});

describe('lifecycle-api start without a complete authentication configuration', () => {
  const refusal = (options: Parameters<typeof startLifecycleApi>[0]) =>
    startLifecycleApi(options).then(
      async (api) => {
        await api.close();
        return 'started';
      },
      (error: unknown) => (error instanceof ConfigError ? error.message : `unexpected ${String(error)}`),
    );

  it('refuses to start without TLS and a permissions file, naming each missing variable', async () => {
    const message = await refusal({ env: { GRPC_TLS_CERT_FILE: '', GRPC_TLS_KEY_FILE: '', GRPC_TLS_CLIENT_CA_FILE: '', LIFECYCLE_PERMISSIONS_FILE: '' } });
    expect(message.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^ {2}- GRPC_TLS_CERT_FILE is required: the lifecycle-api authenticates every caller/),
      expect.stringMatching(/^ {2}- GRPC_TLS_KEY_FILE is required/),
      expect.stringMatching(/^ {2}- LIFECYCLE_PERMISSIONS_FILE is required/),
    ]);
  });

  it('names the variable whose file is bad, and refuses TLS settings next to the compatibility switch', async () => {
    expect(await refusal({ env: { GRPC_TLS_KEY_FILE: '/nonexistent/server.key' } })).toContain('GRPC_TLS_KEY_FILE cannot be read (ENOENT)');
    expect(await refusal({ auth: 'insecure-compat', env: { GRPC_TLS_CERT_FILE: '/some/server.pem' } })).toContain(
      'GRPC_TLS_CERT_FILE must be unset with LIFECYCLE_AUTH=insecure-compat',
    );
  });
});

type HealthClient = Client & { check(request: { service: string }, callback: (error: Error | null, response: { status: string }) => void): void };

function healthClient(address: string, credentials: LifecycleCredentials): HealthClient {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = ((definition['grpc'] as GrpcObject)['health'] as GrpcObject)['v1'] as GrpcObject;
  return new (Health['Health'] as ServiceClientConstructor)(address, channelCredentials(credentials)) as unknown as HealthClient;
}

const check = (client: HealthClient, service: string) =>
  new Promise<{ status: string }>((resolve, reject) => client.check({ service }, (error, response) => (error ? reject(error) : resolve(response))));
