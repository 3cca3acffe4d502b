import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createLifecycleClient, type Jwks, resolveLifecycleCredentials, signClientAssertion, verifyWithJwks } from '@dsts/client';
import { alive, type RunCommand, startRunCommand } from './run-command';

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);
const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/** A CA and a device certificate (CN = device, O = tenant; SPEC §2 extensions) made with the openssl command line only. */
async function opensslDevice(folder: string, tenantId: string, deviceId: string) {
  const file = (name: string) => join(folder, name);
  await writeFile(file('device.cnf'), 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nbasicConstraints=critical,CA:FALSE\n');
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '30', '-subj', '/CN=e2e CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  await openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${deviceId}/O=${tenantId}`, '-keyout', file('device.key'), '-out', file('device.csr'));
  await openssl('x509', '-req', '-in', file('device.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', '0x0e2e01',
    '-days', '30', '-sha256', '-extfile', file('device.cnf'), '-outform', 'DER', '-out', file('device.der'));
  return { tenantId, deviceId, certificateDer: await readFile(file('device.der')), privateKey: createPrivateKey(await readFile(file('device.key'))) };
}
type Device = Awaited<ReturnType<typeof opensslDevice>>;

async function authenticate(gatewayUrl: string, device: Device): Promise<{ status: number; body: Record<string, unknown> }> {
  const challenge = (await (await fetch(`${gatewayUrl}/api/v1/deviceauth/challenge?device_id=${device.deviceId}`)).json()) as { challenge: string };
  const assertion = signClientAssertion({ subject: device.deviceId, nonce: challenge.challenge, privateKey: device.privateKey, certificateDer: device.certificateDer });
  const response = await fetch(`${gatewayUrl}/api/v1/deviceauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const jwksOf = async (gatewayUrl: string) => (await (await fetch(`${gatewayUrl}/api/v1/keys`)).json()) as Jwks;

/** Stops the run command with `signal` and asserts that nothing it started survives. */
async function stopCleanly(run: RunCommand, signal: NodeJS.Signals, toGroup: boolean, dataDir: string) {
  const started = run.descendants();
  expect([...started.values()].filter((args) => args.includes('dist/apps/'))).toHaveLength(2);
  expect(await run.signal(signal, toGroup)).toBe(0);
  expect([...started].filter(([pid]) => alive(pid))).toEqual([]);
  expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  return started;
}

/** A fresh data folder for each test; whatever run command a test leaves running is stopped. */
function eachWithDataFolder(): { dataDir: string; run?: RunCommand } {
  const state: { dataDir: string; run?: RunCommand } = { dataDir: '' };
  beforeEach(async () => {
    state.dataDir = await mkdtemp(join(tmpdir(), 'dsts-run-'));
    state.run = undefined;
  });
  afterEach(async () => {
    if (state.run?.child.exitCode === null) await state.run.signal('SIGTERM');
    await rm(state.dataDir, { recursive: true, force: true });
  });
  return state;
}

describe('npm start on a machine without Postgres or Redis (embedded PostgreSQL, in-process cache)', () => {
  const state = eachWithDataFolder();

  it('serves an openssl-made device end to end, refuses it once disabled (401) and deleted (410), stops cleanly and keeps its data across restarts', async () => {
    state.run = await startRunCommand(state.dataDir);
    expect(state.run.output()).toContain('single instance only');
    const device = await opensslDevice(await mkdtemp(join(state.dataDir, 'certs-')), 'e2e-tenant', 'e2e-device-1');
    // What dstsctl and device-sim do: pick up the CA and admin certificate npm start made in the data folder.
    const client = createLifecycleClient(state.run.grpcAddress, await resolveLifecycleCredentials({}, { DSTS_DATA_DIR: state.dataDir }, WORKSPACE_ROOT));
    let jwks: Jwks;
    try {
      await client.call('createDevice', { tid: device.tenantId, deviceId: device.deviceId, deviceCertificate: device.certificateDer });
      expect(new X509Certificate(device.certificateDer).subject).toBe('CN=e2e-device-1\nO=e2e-tenant');

      const first = await authenticate(state.run.gatewayUrl, device);
      expect(first.status).toBe(200);
      jwks = await jwksOf(state.run.gatewayUrl);
      const token = verifyWithJwks(String(first.body['access_token']), jwks);
      expect(token.claims).toMatchObject({ sub: 'e2e-device-1', tid: 'e2e-tenant', typ: 'device', iss: 'HP Device Token Service' });

      // The very next authentication after a change through the lifecycle-api sees it (device cache off in this mode).
      await client.call('updateDevice', { tid: device.tenantId, deviceId: device.deviceId, updateMask: ['enabled'], update: { isEnabled: false } });
      expect(await authenticate(state.run.gatewayUrl, device)).toMatchObject({ status: 401 });
      await client.call('updateDevice', { tid: device.tenantId, deviceId: device.deviceId, updateMask: ['enabled'], update: { isEnabled: true } });
      expect(await authenticate(state.run.gatewayUrl, device)).toMatchObject({ status: 200 });
      await client.call('deleteDevice', { tid: device.tenantId, deviceId: device.deviceId });
      expect(await authenticate(state.run.gatewayUrl, device)).toMatchObject({ status: 410 });
    } finally {
      client.close();
    }
    // Without the admin certificate the server still talks TLS, but refuses the operation.
    const stranger = createLifecycleClient(state.run.grpcAddress, { ca: await readFile(join(state.dataDir, 'tls', 'ca.pem')) });
    await expect(stranger.call('getDevice', { tid: device.tenantId, deviceId: device.deviceId })).rejects.toMatchObject({ status: 16, source: 'transport' });
    stranger.close();

    // The walkthrough's audit query: no DATABASE_URL, dstsctl finds the embedded database (its generated password percent-encoded).
    const toolEnv: NodeJS.ProcessEnv = { ...process.env, DSTS_DATA_DIR: state.dataDir, EMBEDDED_POSTGRES_PORT: state.run.postgresPort };
    delete toolEnv['DATABASE_URL'];
    const audit = await promisify(execFile)('npm', ['run', '-s', 'dstsctl', '--', 'audit', 'list', '--tid', 'e2e-tenant', '--json'], { cwd: WORKSPACE_ROOT, env: toolEnv });
    expect(JSON.parse(audit.stdout).events.map((event: { operation: string }) => event.operation)).toEqual(['CreateDevice', 'UpdateDevice', 'UpdateDevice', 'DeleteDevice']);

    const started = await stopCleanly(state.run, 'SIGTERM', false, state.dataDir);
    expect([...started.values()].some((args) => args.includes('bin/postgres'))).toBe(true);
    expect((await stat(join(state.dataDir, 'signing-key-encryption.key'))).mode & 0o777).toBe(0o600);
    const tls = (name: string) => join(state.dataDir, 'tls', name);
    expect((await stat(join(state.dataDir, 'tls'))).mode & 0o777).toBe(0o700);
    for (const key of ['ca.key', 'server.key', 'admin.key']) expect((await stat(tls(key))).mode & 0o777).toBe(0o600);
    expect(await readFile(tls('permissions.yaml'), 'utf8')).toContain('"CN=dsts-local-admin,O=DSTS local":\n    - devices:read\n');
    const localCa = await readFile(tls('ca.pem'));

    // Second start: same cluster (the tombstone is still there), same signing key (decrypted with the kept key file).
    state.run = await startRunCommand(state.dataDir);
    expect(await authenticate(state.run.gatewayUrl, device)).toMatchObject({ status: 410 });
    expect(await jwksOf(state.run.gatewayUrl)).toEqual(jwks);
    // Same local CA (so the admin certificate the tools hold stays valid).
    expect(await readFile(tls('ca.pem'))).toEqual(localCa);
    // Ctrl-C: SIGINT to the whole process group.
    await stopCleanly(state.run, 'SIGINT', true, state.dataDir);
  }, 90_000);
});

describe('npm start stopped by a supervisor', () => {
  const state = eachWithDataFolder();

  // Regression: SIGTERM to the npm process killed only npm's `sh -c`, leaving
  // the stack, both services and PostgreSQL running as orphans.
  it('stops the stack, both services and PostgreSQL when the npm process itself gets SIGTERM', async () => {
    state.run = await startRunCommand(state.dataDir, {}, 'npm-start');
    const started = state.run.descendants();
    expect([...started.values()].some((args) => args.includes('bin/postgres'))).toBe(true);

    await state.run.signal('SIGTERM');

    const deadline = Date.now() + 20_000;
    while ([...started.keys()].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect([...started.entries()].filter(([pid]) => alive(pid)).map(([, args]) => args)).toEqual([]);
  }, 120_000);
});

describe('npm start with DATABASE_URL and REDIS_URL', () => {
  const state = eachWithDataFolder();

  it('uses them: no embedded Postgres, the Redis cache', async () => {
    state.run = await startRunCommand(state.dataDir, { DATABASE_URL: process.env['DATABASE_URL'], REDIS_URL: process.env['REDIS_URL'] });

    expect(state.run.output()).not.toContain('single instance only');
    const started = await stopCleanly(state.run, 'SIGTERM', false, state.dataDir);
    expect([...started.values()].filter((args) => args.includes('postgres'))).toEqual([]);
    expect(existsSync(join(state.dataDir, 'postgres'))).toBe(false);
  }, 60_000);
});
