import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestCa } from '@dsts/testing';
import { isCanonicalSubjectName, subjectDistinguishedName } from './subject-name';

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
    expect(isCanonicalSubjectName(dn)).toBe(true);
  });

  it('names every X.520 attribute OpenSSL knows as openssl prints it (postalCode, businessCategory, description, ...)', async () => {
    const [key, cert] = [join(folder, 'x520-k.pem'), join(folder, 'x520-c.pem')];
    const attributes = [
      'description', 'searchGuide', 'businessCategory', 'postalAddress', 'postalCode', 'postOfficeBox', 'physicalDeliveryOfficeName',
      'telephoneNumber', 'telexNumber', 'teletexTerminalIdentifier', 'facsimileTelephoneNumber', 'x121Address', 'internationaliSDNNumber',
      'registeredAddress', 'destinationIndicator', 'preferredDeliveryMethod', 'presentationAddress', 'supportedApplicationContext',
      'member', 'owner', 'roleOccupant', 'seeAlso', 'userPassword', 'name', 'initials', 'generationQualifier', 'x500UniqueIdentifier',
      'dnQualifier', 'enhancedSearchGuide', 'protocolInformation', 'distinguishedName', 'uniqueMember', 'houseIdentifier',
      'supportedAlgorithms', 'deltaRevocationList', 'dmdName', 'pseudonym', 'role', 'organizationIdentifier',
    ];
    const subject = `/O=Acme/${attributes.map((attribute, index) => `${attribute}=v${index}`).join('/')}/CN=admin`;
    await openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', subject);
    const pem = await readFile(cert, 'utf8');

    const dn = subjectDistinguishedName(new X509Certificate(pem).raw);
    expect(dn).toBe(await opensslSubject(pem));
    expect(dn).toContain('postalCode=v4,');
    expect(dn).not.toMatch(/2\.5\.4\./);
    expect(isCanonicalSubjectName(dn)).toBe(true);
  });

  it('writes a known attribute whose value is no string as its name and hex DER, as openssl does', async () => {
    const ca = await createTestCa();
    // postalAddress is a SEQUENCE OF strings in X.520; this one holds the (empty) SEQUENCE 30 00.
    const device = await ca.issueDevice({ deviceId: 'admin', tenantId: 'ops', extraSubject: [{ '2.5.4.16': ['#3000'] }] });
    const dn = subjectDistinguishedName(device.certificateDer);
    expect(dn).toBe(await opensslSubject(device.certificatePem));
    expect(dn).toMatch(/^postalAddress=#3000,O=ops,CN=admin$/);
    expect(isCanonicalSubjectName(dn)).toBe(true);
  });

  it('writes attributes without a short name as dotted OID and hex DER, as openssl does', async () => {
    const ca = await createTestCa();
    const device = await ca.issueDevice({ deviceId: 'admin', tenantId: 'ops', extraSubject: [{ '1.2.3.4': ['weird'] }] });
    const dn = subjectDistinguishedName(device.certificateDer);
    expect(dn).toMatch(/^1\.2\.3\.4=#[0-9A-F]+,O=ops,CN=admin$/);
    expect(dn).toBe(await opensslSubject(device.certificatePem));
    expect(isCanonicalSubjectName(dn)).toBe(true);
  });

  it('tells the canonical spelling of a subject from other spellings of the same name', () => {
    for (const canonical of ['CN=dsts-local-admin,O=DSTS local', 'CN=admin', 'CN=', 'UID=42+OU=ops,O=Acme\\, Inc.', 'CN=x=y', 'CN=\\#a\\ ', 'CN=zweiter \\C3\\A9', '1.2.3.4=#0C05', 'postalAddress=#3000']) {
      expect([canonical, isCanonicalSubjectName(canonical)]).toEqual([canonical, true]);
    }
    for (const other of [
      'CN=dsts-local-admin, O=DSTS local',
      '/O=DSTS local/CN=dsts-local-admin',
      'subject=CN=dsts-local-admin,O=DSTS local',
      'cn=admin',
      'commonName=admin',
      '2.5.4.3=#0C0561646D696E',
      '1.2.3.4=#0c05',
      'O=Acme\\2C Inc.',
      'O=Acme, Inc.',
      'CN=#admin',
      'CN=admin ',
      'CN=a"b',
      'CN=a\\',
      'CN=\\C3',
      'CN=zweiter é',
      'admin',
      '',
    ]) {
      expect([other, isCanonicalSubjectName(other)]).toEqual([other, false]);
    }
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => subjectDistinguishedName(Buffer.from('not a certificate'))).toThrow();
  });
});
