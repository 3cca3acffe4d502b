import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalTls } from '../src/local-tls';

describe('ensureLocalTls (the TLS files of npm start)', () => {
  let dataDir: string;
  const tls = (name: string) => join(dataDir, 'tls', name);
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-tls-'));
    await ensureLocalTls(dataDir);
  }, 30_000);
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  /** Whether `name`.key holds the private key of `name`.pem. */
  async function keyMatches(name: string): Promise<boolean> {
    const fromKey = createPublicKey(createPrivateKey(await readFile(tls(`${name}.key`)))).export({ type: 'spki', format: 'der' });
    const fromCertificate = new X509Certificate(await readFile(tls(`${name}.pem`))).publicKey.export({ type: 'spki', format: 'der' });
    return fromKey.equals(fromCertificate);
  }

  it('reuses every file on a later start', async () => {
    const before = await Promise.all(['ca.pem', 'server.pem', 'admin.pem', 'admin.key'].map((name) => readFile(tls(name))));
    await ensureLocalTls(dataDir);
    expect(await Promise.all(['ca.pem', 'server.pem', 'admin.pem', 'admin.key'].map((name) => readFile(tls(name))))).toEqual(before);
  }, 30_000);

  // Regression: stillGood() looked at the .pem only; a start after `mv admin.key`
  // died with ENOENT on chmod and never made the key again.
  it.each(['admin', 'server'])('makes the %s certificate and key again when the key file is missing', async (name) => {
    const ca = await readFile(tls('ca.pem'));
    await rm(tls(`${name}.key`));
    await ensureLocalTls(dataDir);
    expect(await keyMatches(name)).toBe(true);
    expect((await stat(tls(`${name}.key`))).mode & 0o777).toBe(0o600);
    expect(await readFile(tls('ca.pem'))).toEqual(ca);
  }, 30_000);

  it('makes the pair again when the key is not the certificate’s', async () => {
    await copyFile(tls('server.key'), tls('admin.key'));
    await ensureLocalTls(dataDir);
    expect(await keyMatches('admin')).toBe(true);
  }, 30_000);

  it('makes the CA (and so every leaf) again when its key is missing', async () => {
    const ca = await readFile(tls('ca.pem'));
    await rm(tls('ca.key'));
    await ensureLocalTls(dataDir);
    expect(await readFile(tls('ca.pem'))).not.toEqual(ca);
    const newCa = new X509Certificate(await readFile(tls('ca.pem')));
    for (const name of ['server', 'admin']) expect(new X509Certificate(await readFile(tls(`${name}.pem`))).verify(newCa.publicKey)).toBe(true);
  }, 30_000);
});
