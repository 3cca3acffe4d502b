import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type BuiltServices, createTestApp, createTestCa, startBuiltServices, TEST_ADMIN_IDENTITY, type TestCa, type TestDevice, writeAppsFile } from '@dsts/testing';
import { runCli } from '../src/cli';

const WORKSPACE_ROOT = resolve(__dirname, '../../..');
const TID = 'acme';
// A registered app that may read devices, nothing else (APPS_FILE + permissions file).
const reader = createTestApp('dstsctl-reader');

describe('dstsctl against the built services', () => {
  let services: BuiltServices;
  let ca: TestCa;
  let folder: string;

  beforeAll(async () => {
    [services, ca, folder] = await Promise.all([
      startBuiltServices({ grants: { apps: { [reader.id]: ['devices:read'] } }, env: { APPS_FILE: writeAppsFile([reader]) } }),
      createTestCa(),
      mkdtemp(join(tmpdir(), 'dstsctl-')),
    ]);
  }, 60_000);
  afterAll(async () => {
    await services?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  /** dstsctl with `env` as its environment (default: the CA and admin certificate of the services). */
  async function dstsctlWith(env: Record<string, string | undefined>, ...argv: string[]) {
    let stdout = '';
    let stderr = '';
    // audit reads PostgreSQL and takes no --address.
    const code = await runCli(argv.includes('--address') || argv[0] === 'audit' ? argv : [...argv, '--address', services.grpcAddress], {
      stdout: (text) => (stdout += `${text}\n`),
      stderr: (text) => (stderr += `${text}\n`),
      env,
    });
    return { code, stdout, stderr };
  }
  const dstsctl = (...argv: string[]) => dstsctlWith(services.tls.toolEnv, ...argv);
  const json = async (...argv: string[]) => {
    const result = await dstsctl(...argv, '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  };

  async function certificateFile(device: TestDevice, format: 'pem' | 'der'): Promise<string> {
    const path = join(folder, `${device.deviceId}-${Date.now()}.${format}`);
    await writeFile(path, format === 'pem' ? device.certificatePem : device.certificateDer);
    return path;
  }

  it('creates devices from PEM and DER files, gets, lists (paged, filtered) and deletes them', async () => {
    const pem = await ca.issueDevice({ deviceId: 'printer-1', tenantId: TID });
    const der = await ca.issueDevice({ deviceId: 'printer-2', tenantId: TID });
    const created = await dstsctl('devices', 'create', '--tid', TID, '--device-id', 'printer-1', '--cert', await certificateFile(pem, 'pem'), '--hardware-hash', 'hw1');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^created device printer-1 at \d{4}-\d\d-\d\dT/);
    expect(await json('devices', 'create', '--tid', TID, '--device-id', 'printer-2', '--cert', await certificateFile(der, 'der'))).toEqual({
      tid: TID,
      deviceId: 'printer-2',
      createTime: expect.stringMatching(/^\d{4}-/),
    });

    expect(await json('devices', 'get', '--tid', TID, '--device-id', 'printer-1')).toEqual({
      tid: TID,
      deviceId: 'printer-1',
      isEnabled: true,
      isLost: false,
      certificateThumbprint: expect.stringMatching(/^[0-9A-Fa-f]{40,64}$/),
      issuedTime: expect.any(String),
      expiryTime: expect.any(String),
      managementService: 'none',
      hardwareHash: 'hw1',
    });
    const table = await dstsctl('devices', 'get', '--tid', TID, '--device-id', 'printer-1');
    expect(table.stdout).toContain('device id:          printer-1\nenabled:            true\n');

    const page1 = await json('devices', 'list', '--tid', TID, '--page-size', '1');
    expect(page1).toMatchObject({ devices: [{ deviceId: 'printer-1' }], nextPage: 2 });
    expect(await json('devices', 'list', '--tid', TID, '--page', '2', '--page-size', '1')).toMatchObject({ devices: [{ deviceId: 'printer-2' }], nextPage: 0 });
    const listed = await dstsctl('devices', 'list', '--tid', TID);
    expect(listed.stdout.split('\n').slice(0, 3).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['DEVICE', 'ID', 'ENABLED'],
      ['printer-1', 'true', 'false'],
      ['printer-2', 'true', 'false'],
    ]);
    expect(listed.stdout).toContain('last page');

    expect(await json('devices', 'update', '--tid', TID, '--device-id', 'printer-2', '--disable', '--lost')).toMatchObject({ updated: ['enabled', 'lost'] });
    expect(await json('devices', 'list', '--tid', TID, '--filter', 'enabled=false')).toMatchObject({ devices: [{ deviceId: 'printer-2', isEnabled: false, isLost: true }] });
    await json('devices', 'update', '--tid', TID, '--device-id', 'printer-2', '--enable', '--found');
    expect(await json('devices', 'get', '--tid', TID, '--device-id', 'printer-2')).toMatchObject({ isEnabled: true, isLost: false });

    const renewed = await ca.issueDevice({ deviceId: 'printer-2', tenantId: TID });
    const before = await json('devices', 'get', '--tid', TID, '--device-id', 'printer-2');
    await json('devices', 'update', '--tid', TID, '--device-id', 'printer-2', '--cert', await certificateFile(renewed, 'pem'));
    expect((await json('devices', 'get', '--tid', TID, '--device-id', 'printer-2')).certificateThumbprint).not.toBe(before.certificateThumbprint);

    expect(await json('devices', 'delete', '--tid', TID, '--device-id', 'printer-2')).toMatchObject({ deviceId: 'printer-2', deleteTime: expect.any(String) });
    expect(await dstsctl('devices', 'get', '--tid', TID, '--device-id', 'printer-2')).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(/^dstsctl: devices get failed: NOT_FOUND: .+/),
    });
  });

  it("fails with exit code 1 and the server's status_message", async () => {
    const device = await ca.issueDevice({ deviceId: 'other-name', tenantId: TID });
    const refused = await dstsctl('devices', 'create', '--tid', TID, '--device-id', 'printer-9', '--cert', await certificateFile(device, 'der'));
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'dstsctl: devices create failed: INVALID_ARGUMENT: invalid device certificate: subject common name must equal device_id\n',
    });
    const negativePage = await dstsctl('devices', 'list', '--tid', TID, '--page=-1');
    expect(negativePage).toMatchObject({ code: 1, stderr: expect.stringContaining('INVALID_ARGUMENT') });
  });

  it('refuses bad command lines with exit code 2 and the usage, without calling the server', async () => {
    expect(await dstsctl('devices', 'update', '--tid', TID, '--device-id', 'd')).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing to update') });
    expect(await dstsctl('devices', 'update', '--tid', TID, '--device-id', 'd', '--enable', '--disable')).toMatchObject({ code: 2 });
    expect(await dstsctl('devices', 'get', '--tid', TID)).toMatchObject({ code: 2, stderr: expect.stringContaining('--device-id is required') });
    expect(await dstsctl('devices', 'list', '--tid', TID, '--page', 'two')).toMatchObject({ code: 2, stderr: expect.stringContaining('--page must be an integer') });
    expect(await dstsctl('devices', 'create', '--tid', TID, '--device-id', 'd', '--cert', join(folder, 'missing.pem'))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read'),
    });
    const notACertificate = join(folder, 'garbage.pem');
    await writeFile(notACertificate, 'not a certificate');
    expect(await dstsctl('devices', 'create', '--tid', TID, '--device-id', 'd', '--cert', notACertificate)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not an X.509 certificate'),
    });
    expect(await dstsctl('devices', 'list', '--tid', TID, '--bogus')).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") });
    // Regression: /dev/zero was read without bound; out-of-range integers failed as a server-side INTERNAL.
    expect(await dstsctl('devices', 'create', '--tid', TID, '--device-id', 'd', '--cert', '/dev/zero')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a regular file'),
    });
    expect(await dstsctl('enrollment-tokens', 'create', '--tid', TID, '--days', '99999999999')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--days must be between'),
    });
    expect(await dstsctl('nothing', 'here')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "nothing here"') });
  });

  it('prints help for every command', async () => {
    expect((await dstsctl('--help')).stdout).toContain('enrollment-tokens validate');
    expect((await dstsctl('keys', 'list', '--help')).stdout).toContain('usage: dstsctl keys list [options]');
    expect((await dstsctl('devices', 'update', '--help')).stdout).toMatch(/--cert FILE\s+new certificate file/);
  });

  it('creates, gets, validates and deletes enrollment tokens', async () => {
    const token = await json('enrollment-tokens', 'create', '--tid', 'tenant-e', '--days', '7');
    expect(token).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9]{32}$/), issuedTime: expect.any(String), expiryTime: expect.any(String) });
    expect(Date.parse(token.expiryTime) - Date.parse(token.issuedTime)).toBe(7 * 86_400_000);
    expect(await json('enrollment-tokens', 'get', '--tid', 'tenant-e')).toEqual(token);
    expect(await json('enrollment-tokens', 'validate', '--token', token.token)).toEqual({ tid: 'tenant-e', isValid: true });
    expect((await dstsctl('enrollment-tokens', 'validate', '--token', token.token)).stdout).toBe('tid:   tenant-e\nvalid: true\n');
    expect(await dstsctl('enrollment-tokens', 'create', '--tid', 'tenant-e')).toMatchObject({ code: 1, stderr: expect.stringContaining('ALREADY_EXISTS') });
    await json('enrollment-tokens', 'delete', '--tid', 'tenant-e');
    expect(await dstsctl('enrollment-tokens', 'validate', '--token', token.token)).toMatchObject({ code: 1, stderr: expect.stringContaining('UNAUTHENTICATED') });
  });

  it('lists the signing keys the gateway publishes', async () => {
    const { keys } = await json('keys', 'list');
    const jwks = (await (await fetch(`${services.gatewayUrl}/api/v1/keys`)).json()) as { keys: { kid: string }[] };
    expect(keys.map((key: { kid: string }) => key.kid)).toEqual(jwks.keys.map((key) => key.kid));
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS512', use: 'sig' });
    expect((await dstsctl('keys', 'list')).stdout).toMatch(/^KID\s+KTY\s+ALG\s+USE\n[0-9a-f]{64}\s+RSA\s+RS512\s+sig\n$/);
  });

  it('gets an app token over gRPC with the app key alone, then acts as that app with --app-token, within its permissions', async () => {
    const caOnly = { DSTS_GRPC_CA: services.tls.toolEnv.DSTS_GRPC_CA, DSTS_DATA_DIR: folder };
    const appKey = join(folder, 'reader.key');
    await writeFile(appKey, reader.privateKey.export({ type: 'pkcs8', format: 'pem' }));

    const issued = await dstsctlWith(caOnly, 'apps', 'token', '--app-id', reader.id, '--app-key', appKey);
    expect(issued).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+\n$/) });
    const token = issued.stdout.trim();

    expect(await dstsctlWith(caOnly, 'devices', 'list', '--tid', TID, '--app-token', token)).toMatchObject({ code: 0, stderr: '' });
    expect(await dstsctlWith({ ...caOnly, DSTS_GRPC_APP_TOKEN: token }, 'devices', 'delete', '--tid', TID, '--device-id', 'printer-1')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'dstsctl: devices delete failed: PERMISSION_DENIED: permission denied\n',
    });
    expect(await dstsctlWith(caOnly, 'devices', 'list', '--tid', TID)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'dstsctl: devices list failed: UNAUTHENTICATED: authentication required\n',
    });
  });

  // Contradicting credential options: credential-options.spec.ts.
  it('says where the credentials are missing', async () => {
    expect(await dstsctlWith({ DSTS_DATA_DIR: folder }, 'keys', 'list')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`no CA certificate for the lifecycle-api's TLS: run npm start once (it makes ${join(folder, 'tls', 'ca.pem')})`),
    });
  });

  // Regression: a plaintext server answered TLS with OpenSSL's bare "ssl3_get_record:wrong version number".
  it('says a server that does not speak TLS may be in compatibility mode and suggests --insecure', async () => {
    // The lifecycle-api's health-only port is plaintext gRPC, as a compatibility-mode server is.
    expect(await dstsctl('keys', 'list', '--address', services.grpcHealthAddress)).toEqual({
      code: 1,
      stdout: '',
      stderr: `dstsctl: keys list failed: UNAVAILABLE: ${services.grpcHealthAddress} does not answer TLS; it may be plaintext, a lifecycle-api in compatibility mode (LIFECYCLE_AUTH=insecure-compat): if so, use --insecure\n`,
    });
  });

  it("lists a tenant's audit events from PostgreSQL (DATABASE_URL), oldest first, within --since/--until", async () => {
    const tid = `audited-${Date.now()}`;
    const device = await ca.issueDevice({ deviceId: 'audited-1', tenantId: tid });
    expect((await dstsctl('devices', 'create', '--tid', tid, '--device-id', 'audited-1', '--cert', await certificateFile(device, 'pem'))).code).toBe(0);
    expect((await dstsctl('devices', 'delete', '--tid', tid, '--device-id', 'audited-1')).code).toBe(0);
    expect((await dstsctl('devices', 'delete', '--tid', tid, '--device-id', 'audited-1')).code).toBe(1);
    const withDatabase = (...argv: string[]) => dstsctlWith({ DATABASE_URL: process.env['DATABASE_URL'] }, 'audit', 'list', '--tid', tid, ...argv);

    const listed = await withDatabase('--json');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const event = (operation: string, outcome: string, reason: string | null) => ({
      id: expect.any(String),
      occurredAt: expect.any(String),
      operation,
      actorKind: 'certificate',
      actorId: TEST_ADMIN_IDENTITY,
      tenantId: tid,
      deviceId: 'audited-1',
      outcome,
      reason,
      requestId: expect.any(String),
    });
    expect(JSON.parse(listed.stdout).events).toEqual([event('CreateDevice', 'ok', null), event('DeleteDevice', 'ok', null), event('DeleteDevice', 'not_found', 'DEVICE_NOT_FOUND')]);
    const text = (await withDatabase()).stdout.split('\n');
    expect(text[0].split(/\s{2,}/)).toEqual(['TIME', 'OPERATION', 'OUTCOME', 'ACTOR', 'DEVICE', 'REQUEST ID']);
    expect(text[3]).toContain('DeleteDevice  not_found (DEVICE_NOT_FOUND)');

    expect(JSON.parse((await withDatabase('--until', '2000-01-01', '--json')).stdout)).toEqual({ events: [] });
    expect(JSON.parse((await withDatabase('--limit', '1', '--json')).stdout).events).toHaveLength(1);
    expect(await withDatabase('--since', 'yesterday')).toMatchObject({ code: 2, stderr: expect.stringContaining('--since must be an ISO 8601 date') });
    expect(await dstsctlWith({ DSTS_DATA_DIR: folder }, 'audit', 'list', '--tid', tid)).toMatchObject({ code: 1, stderr: expect.stringContaining('set DATABASE_URL') });
  });

  it('runs as `npm run dstsctl`, with the address from DSTS_GRPC_ADDRESS and a non-zero exit code on failure', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, ...services.tls.toolEnv, DSTS_GRPC_ADDRESS: services.grpcAddress };
    const { stdout } = await run('npm', ['run', '-s', 'dstsctl', '--', 'keys', 'list', '--json'], { cwd: WORKSPACE_ROOT, env });
    expect(JSON.parse(stdout).keys).toHaveLength(1);
    await expect(run('npm', ['run', '-s', 'dstsctl', '--', 'devices', 'get', '--tid', TID, '--device-id', 'nobody'], { cwd: WORKSPACE_ROOT, env })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('NOT_FOUND'),
    });
  });
});
