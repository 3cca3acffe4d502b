import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { stringify } from 'yaml';
import { PERMISSIONS } from '@dsts/config';
import type { LifecycleCredentials } from '@dsts/client';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const DAY_MS = 86_400_000;
// P-256: quick to generate, and TLS-capable like RSA.
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface IssueOptions {
  /** Subject in certificate order, e.g. `[{ O: ['acme'] }, { CN: ['admin'] }]`. */
  subject: Record<string, string[]>[];
  /** `server`: SAN 127.0.0.1 and localhost, EKU serverAuth; `client`: EKU clientAuth; `any`: no EKU extension (RFC 5280: any purpose). */
  usage: 'server' | 'client' | 'any';
  notBefore?: Date;
  notAfter?: Date;
}

/** A throwaway CA for TLS tests (server and client certificates). */
export interface TestPki {
  caPem: string;
  issue(options: IssueOptions): Promise<TestCertificate>;
}

const pemOfKey = (key: webcrypto.CryptoKey) => KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;

export async function createTestPki(name = 'DSTS Test Admin CA'): Promise<TestPki> {
  const caKeys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: [{ CN: [name] }],
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 30 * DAY_MS),
    signingAlgorithm: EC,
    keys: caKeys,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  let serial = 1;
  return {
    caPem: ca.toString('pem'),
    async issue({ subject, usage, notBefore, notAfter }) {
      const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      ];
      if (usage !== 'any') {
        extensions.push(new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]));
      }
      if (usage === 'server') {
        extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }]));
      }
      const certificate = await x509.X509CertificateGenerator.create({
        serialNumber: (++serial).toString(16).padStart(2, '0'),
        subject,
        issuer: ca.subject,
        notBefore: notBefore ?? new Date(Date.now() - DAY_MS),
        notAfter: notAfter ?? new Date(Date.now() + 30 * DAY_MS),
        signingAlgorithm: EC,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        extensions,
      });
      return { certificatePem: certificate.toString('pem'), privateKeyPem: pemOfKey(keys.privateKey) };
    },
  };
}

/** Identity (RFC 4514 subject) of the admin client certificate of {@link writeTestTls}. */
export const TEST_ADMIN_IDENTITY = 'CN=dsts-test-admin,O=DSTS tests';

export interface TestTls {
  /** The variables that point the lifecycle-api at these files. */
  env: {
    GRPC_TLS_CERT_FILE: string;
    GRPC_TLS_KEY_FILE: string;
    GRPC_TLS_CLIENT_CA_FILE: string;
    LIFECYCLE_PERMISSIONS_FILE: string;
  };
  pki: TestPki;
  /** Client certificate of {@link TEST_ADMIN_IDENTITY}, granted every permission. */
  admin: TestCertificate;
  /** The CA file and the admin certificate and key files, in the tools' variables. */
  toolEnv: { DSTS_GRPC_CA: string; DSTS_GRPC_CLIENT_CERT: string; DSTS_GRPC_CLIENT_KEY: string };
  /** Credentials trusting the test CA, with a client certificate when given (default: none) and a bearer token when given. */
  credentials(client?: TestCertificate, bearerToken?: string): LifecycleCredentials;
  remove(): Promise<void>;
}

/** Extra grants of the permissions file: identity → permissions. */
export interface TestGrants {
  certificates?: Record<string, string[]>;
  apps?: Record<string, string[]>;
}

/**
 * A test CA and the files a lifecycle-api with TLS reads: its server
 * certificate (127.0.0.1, localhost) and key, the CA as the admin CA, and a
 * permissions file granting the admin client certificate every permission,
 * plus `grants`. In a temporary folder; `remove()` deletes it.
 */
export async function writeTestTls(grants: TestGrants = {}): Promise<TestTls> {
  const folder = await mkdtemp(join(tmpdir(), 'dsts-tls-'));
  const pki = await createTestPki();
  const [server, admin] = await Promise.all([
    pki.issue({ subject: [{ CN: ['lifecycle-api'] }], usage: 'server' }),
    pki.issue({ subject: [{ O: ['DSTS tests'] }, { CN: ['dsts-test-admin'] }], usage: 'client' }),
  ]);
  const file = (name: string) => join(folder, name);
  const permissions = {
    certificates: { [TEST_ADMIN_IDENTITY]: [...PERMISSIONS], ...grants.certificates },
    ...(grants.apps ? { apps: grants.apps } : {}),
  };
  await Promise.all([
    writeFile(file('ca.pem'), pki.caPem),
    writeFile(file('server.pem'), server.certificatePem),
    writeFile(file('server.key'), server.privateKeyPem, { mode: 0o600 }),
    writeFile(file('permissions.yaml'), stringify(permissions)),
    writeFile(file('admin.pem'), admin.certificatePem),
    writeFile(file('admin.key'), admin.privateKeyPem, { mode: 0o600 }),
  ]);
  return {
    env: {
      GRPC_TLS_CERT_FILE: file('server.pem'),
      GRPC_TLS_KEY_FILE: file('server.key'),
      GRPC_TLS_CLIENT_CA_FILE: file('ca.pem'),
      LIFECYCLE_PERMISSIONS_FILE: file('permissions.yaml'),
    },
    pki,
    admin,
    toolEnv: { DSTS_GRPC_CA: file('ca.pem'), DSTS_GRPC_CLIENT_CERT: file('admin.pem'), DSTS_GRPC_CLIENT_KEY: file('admin.key') },
    credentials: (client, bearerToken) => ({
      ca: Buffer.from(pki.caPem),
      certificate: client && { certificateChain: Buffer.from(client.certificatePem), privateKey: Buffer.from(client.privateKeyPem) },
      bearerToken,
    }),
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}
