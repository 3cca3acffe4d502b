import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@dsts/config';
import { createTestPki, type TestCertificate, type TestPki } from '@dsts/testing';
import { loadCallerAccess } from './caller-access';

const DAY = 86_400_000;

describe('loadCallerAccess (start-up checks of LIFECYCLE_AUTH, TLS files and the permissions file)', () => {
  let folder: string;
  let pki: TestPki;
  let server: TestCertificate;
  const file = (name: string) => join(folder, name);
  const now = new Date();

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dsts-access-'));
    pki = await createTestPki();
    server = await pki.issue({ subject: [{ CN: ['localhost'] }], usage: 'server' });
    await Promise.all([
      writeFile(file('server.pem'), server.certificatePem),
      writeFile(file('server.key'), server.privateKeyPem),
      writeFile(file('ca.pem'), pki.caPem),
      writeFile(file('permissions.yaml'), 'certificates:\n  "CN=admin":\n    - devices:read\napps:\n  reporting: [keys:read]\n'),
      writeFile(file('apps-only.yaml'), 'apps:\n  reporting: [keys:read]\n'),
    ]);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const complete = () => ({
    GRPC_TLS_CERT_FILE: file('server.pem'),
    GRPC_TLS_KEY_FILE: file('server.key'),
    GRPC_TLS_CLIENT_CA_FILE: file('ca.pem'),
    LIFECYCLE_PERMISSIONS_FILE: file('permissions.yaml'),
  });
  const load = (env: Record<string, string>) => loadCallerAccess(loadConfig({ DATABASE_URL: 'postgresql://localhost/dsts', ...env }), now);
  const problems = (env: Record<string, string>) =>
    load(env).then(
      () => [],
      (error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems;
      },
    );
  const writeTo = async (name: string, content: string) => {
    await writeFile(file(name), content);
    return file(name);
  };

  it('reads the TLS material and the grants', async () => {
    const access = await load(complete());
    expect(access).toMatchObject({ mode: 'required', tls: { certificateChain: Buffer.from(server.certificatePem), clientCa: Buffer.from(pki.caPem) } });
    if (access.mode !== 'required') throw new Error('unreachable');
    expect(access.grants.certificates.get('CN=admin')).toEqual(new Set(['devices:read']));
    expect(access.grants.apps.get('reporting')).toEqual(new Set(['keys:read']));
  });

  it('requires TLS and a permissions file by default, naming each missing variable', async () => {
    expect(await problems({})).toEqual([
      expect.stringMatching(/^GRPC_TLS_CERT_FILE is required: the lifecycle-api authenticates every caller \(or set LIFECYCLE_AUTH=insecure-compat/),
      expect.stringMatching(/^GRPC_TLS_KEY_FILE is required/),
      expect.stringMatching(/^LIFECYCLE_PERMISSIONS_FILE is required/),
    ]);
    expect(await problems({ ...complete(), GRPC_TLS_KEY_FILE: '' })).toEqual([expect.stringMatching(/^GRPC_TLS_KEY_FILE is required/)]);
  });

  it('accepts app grants without a client CA, but not certificate grants', async () => {
    const withoutCa = { ...complete(), GRPC_TLS_CLIENT_CA_FILE: '' };
    await expect(load({ ...withoutCa, LIFECYCLE_PERMISSIONS_FILE: file('apps-only.yaml') })).resolves.toMatchObject({ tls: { clientCa: undefined } });
    expect(await problems(withoutCa)).toEqual([expect.stringMatching(/^LIFECYCLE_PERMISSIONS_FILE grants certificates, but GRPC_TLS_CLIENT_CA_FILE is unset/)]);
  });

  it('names the variable whose file cannot be read or parsed', async () => {
    expect(await problems({ ...complete(), GRPC_TLS_CERT_FILE: file('missing.pem') })).toEqual(['GRPC_TLS_CERT_FILE cannot be read (ENOENT)']);
    expect(await problems({ ...complete(), GRPC_TLS_CERT_FILE: await writeTo('junk.pem', 'junk') })).toEqual(['GRPC_TLS_CERT_FILE holds no PEM certificate']);
    expect(await problems({ ...complete(), GRPC_TLS_KEY_FILE: file('server.pem') })).toEqual([expect.stringMatching(/^GRPC_TLS_KEY_FILE is not a PEM private key/)]);
    expect(await problems({ ...complete(), GRPC_TLS_CLIENT_CA_FILE: await writeTo('broken-ca.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') })).toEqual([
      'GRPC_TLS_CLIENT_CA_FILE certificate 1 does not parse',
    ]);
  });

  it('refuses a key of another certificate, certificates outside their validity, and a client CA that is no CA', async () => {
    const other = await pki.issue({ subject: [{ CN: ['other'] }], usage: 'server' });
    expect(await problems({ ...complete(), GRPC_TLS_KEY_FILE: await writeTo('other.key', other.privateKeyPem) })).toEqual([
      'GRPC_TLS_KEY_FILE is not the key of the certificate in GRPC_TLS_CERT_FILE',
    ]);
    const expired = await pki.issue({ subject: [{ CN: ['localhost'] }], usage: 'server', notBefore: new Date(now.getTime() - 3 * DAY), notAfter: new Date(now.getTime() - DAY) });
    expect(await problems({ ...complete(), GRPC_TLS_CERT_FILE: await writeTo('expired.pem', expired.certificatePem), GRPC_TLS_KEY_FILE: await writeTo('expired.key', expired.privateKeyPem) })).toEqual([
      'GRPC_TLS_CERT_FILE certificate has expired',
    ]);
    expect(await problems({ ...complete(), GRPC_TLS_CLIENT_CA_FILE: await writeTo('leaf-as-ca.pem', `${pki.caPem}\n${other.certificatePem}`) })).toEqual([
      'GRPC_TLS_CLIENT_CA_FILE holds a certificate that is not a CA',
    ]);
  });

  it('in compatibility mode reads nothing, and refuses TLS or permission settings next to it', async () => {
    await expect(load({ LIFECYCLE_AUTH: 'insecure-compat' })).resolves.toEqual({ mode: 'insecure-compat' });
    expect(await problems({ LIFECYCLE_AUTH: 'insecure-compat', GRPC_TLS_CERT_FILE: file('server.pem'), LIFECYCLE_PERMISSIONS_FILE: file('permissions.yaml') })).toEqual([
      'GRPC_TLS_CERT_FILE must be unset with LIFECYCLE_AUTH=insecure-compat (plaintext, no authentication)',
      'LIFECYCLE_PERMISSIONS_FILE must be unset with LIFECYCLE_AUTH=insecure-compat (plaintext, no authentication)',
    ]);
    expect(() => loadConfig({ DATABASE_URL: 'postgresql://localhost/dsts', LIFECYCLE_AUTH: 'off' })).toThrow('LIFECYCLE_AUTH must be required or insecure-compat');
  });
});
