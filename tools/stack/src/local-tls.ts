import { createPrivateKey, createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PERMISSIONS } from '@dsts/config';
import { runOpenssl, subjectDistinguishedName } from '@dsts/certificates';

/** The lifecycle-api variables the local TLS files answer. */
export interface LocalTlsEnvironment {
  GRPC_TLS_CERT_FILE: string;
  GRPC_TLS_KEY_FILE: string;
  GRPC_TLS_CLIENT_CA_FILE: string;
  LIFECYCLE_PERMISSIONS_FILE: string;
}

const DAY_MS = 86_400_000;
/** A leaf certificate this close to expiring is made again at start. */
const RENEW_BEFORE_MS = 30 * DAY_MS;

const SERVER_EXTENSIONS =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n';
const CLIENT_EXTENSIONS = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';

const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * The certificate in `certificateFile` when `keyFile` holds its private key;
 * undefined when either file is missing, unreadable or the two do not belong
 * together (a pair is only ever made, or kept, as a whole).
 */
async function readPair(certificateFile: string, keyFile: string): Promise<X509Certificate | undefined> {
  try {
    const certificate = new X509Certificate(await readFile(certificateFile));
    const publicKeyOfKey = createPublicKey(createPrivateKey(await readFile(keyFile))).export({ type: 'spki', format: 'der' });
    return publicKeyOfKey.equals(certificate.publicKey.export({ type: 'spki', format: 'der' })) ? certificate : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the leaf `name` (.pem and .key) is a matching pair issued by `ca` that stays valid for a while. */
async function stillGood(folder: string, name: string, ca: X509Certificate, now: Date): Promise<boolean> {
  const certificate = await readPair(join(folder, `${name}.pem`), join(folder, `${name}.key`));
  return !!certificate && certificate.verify(ca.publicKey) && new Date(certificate.validTo).getTime() - now.getTime() > RENEW_BEFORE_MS;
}

/**
 * What `npm start` needs for an authenticated lifecycle-api, made with the
 * openssl command line — the same steps README "Provisioning an admin
 * identity" gives operators — into `<data dir>/tls` (mode 0700, keys 0600):
 * a local admin CA (`ca.pem`), the server certificate for localhost /
 * 127.0.0.1 / ::1 (`server.pem`), a client certificate for the tools
 * (`admin.pem`, subject `O=DSTS local, CN=dsts-local-admin`) and a
 * permissions file granting that certificate every permission. Everything is
 * reused by later starts; a certificate and key pair with either file
 * missing or a key that is not the certificate's is made again (the CA too,
 * and then every leaf), as is a leaf not from the CA or expiring within 30
 * days; an edited permissions file is kept.
 */
export async function ensureLocalTls(dataDir: string, now = new Date()): Promise<LocalTlsEnvironment> {
  const folder = join(dataDir, 'tls');
  const file = (name: string) => join(folder, name);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);

  if (!(await readPair(file('ca.pem'), file('ca.key')))) {
    await runOpenssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', '/O=DSTS local/CN=DSTS local admin CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', file('ca.key'), '-out', file('ca.pem'),
    ]);
  }
  const ca = new X509Certificate(await readFile(file('ca.pem')));
  const leaves = [
    { name: 'server', subject: '/CN=localhost', extensions: SERVER_EXTENSIONS },
    { name: 'admin', subject: '/O=DSTS local/CN=dsts-local-admin', extensions: CLIENT_EXTENSIONS },
  ];
  for (const { name, subject, extensions } of leaves) {
    if (await stillGood(folder, name, ca, now)) continue;
    await writeFile(file(`${name}.cnf`), extensions);
    await runOpenssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`)]);
    await runOpenssl([
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-days', '825', '-sha256', '-extfile', file(`${name}.cnf`), '-out', file(`${name}.pem`),
    ]);
  }
  await Promise.all(['ca.key', 'server.key', 'admin.key'].map((key) => chmod(file(key), 0o600)));

  const permissionsFile = file('permissions.yaml');
  if (!(await exists(permissionsFile))) {
    const identity = subjectDistinguishedName(new X509Certificate(await readFile(file('admin.pem'))).raw);
    const grants = PERMISSIONS.map((permission) => `    - ${permission}`).join('\n');
    await writeFile(
      permissionsFile,
      `# Made by npm start: the local admin certificate (admin.pem) may do everything. Kept across starts; edit freely.\ncertificates:\n  "${identity}":\n${grants}\n`,
      { flag: 'wx' },
    );
  }
  return {
    GRPC_TLS_CERT_FILE: file('server.pem'),
    GRPC_TLS_KEY_FILE: file('server.key'),
    GRPC_TLS_CLIENT_CA_FILE: file('ca.pem'),
    LIFECYCLE_PERMISSIONS_FILE: permissionsFile,
  };
}
