import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestCa } from '@dsts/testing';
import { subjectDistinguishedName } from './subject-name';

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);

describe('subjectDistinguishedName', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dsts-dn-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  /** What `openssl x509 -noout -subject -nameopt RFC2253` prints for the certificate, without `subject=`. */
  const opensslSubject = async (pem: string) => {
    const file = join(folder, `${Math.random().toString(36).slice(2)}.pem`);
    await writeFile(file, pem);
    const { stdout } = await openssl('x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253');
    return stdout.trim().replace(/^subject=/, '');
  };

  it('prints what openssl -nameopt RFC2253 prints: reversed, escaped, multi-valued RDNs joined with +', async () => {
    const [key, cert] = [join(folder, 'k.pem'), join(folder, 'c.pem')];
    const subject = '/C=DE/O=Acme, Inc.;x<y>"q"/OU=ops+UID=42/CN=#admin\\\\1 /emailAddress=a@b.c/CN=zweiter é';
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-utf8', '-multivalue-rdn', '-subj', subject);
    const pem = await readFile(cert, 'utf8');

    const dn = subjectDistinguishedName(new X509Certificate(pem).raw);
    expect(dn).toBe('CN=zweiter \\C3\\A9,emailAddress=a@b.c,CN=\\#admin\\\\1\\ ,UID=42+OU=ops,O=Acme\\, Inc.\\;x\\<y\\>\\"q\\",C=DE');
    expect(dn).toBe(await opensslSubject(pem));
  });

  it('writes attributes without a short name as dotted OID and hex DER, as openssl does', async () => {
    const ca = await createTestCa();
    const device = await ca.issueDevice({ deviceId: 'admin', tenantId: 'ops', extraSubject: [{ '1.2.3.4': ['weird'] }] });
    const dn = subjectDistinguishedName(device.certificateDer);
    expect(dn).toMatch(/^1\.2\.3\.4=#[0-9a-f]+,O=ops,CN=admin$/);
    expect(dn.toUpperCase()).toBe((await opensslSubject(device.certificatePem)).toUpperCase());
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => subjectDistinguishedName(Buffer.from('not a certificate'))).toThrow();
  });
});
