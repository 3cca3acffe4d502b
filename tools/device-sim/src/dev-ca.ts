import { createPrivateKey, type KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOpenssl } from '@dsts/certificates';

/**
 * The local development CA and its device certificates, made with the
 * `openssl` command line: the simulator then needs no certificate-building
 * library at run time (@peculiar/x509 is a test-only dependency), and its
 * certificates come from the same tool an operator would use. Everything is
 * kept under `folder` and reused by later runs.
 */

// SPEC §2: RSA ≥ 2048, sha256WithRSA, key usage exactly digitalSignature, EKU clientAuth only.
const DEVICE_EXTENSIONS = 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nbasicConstraints=critical,CA:FALSE\n';
// Ids become file names under the data folder: no path separators, and no
// leading dot (so never `.` or `..`).
const SAFE_NAME = /^[A-Za-z0-9_:-][A-Za-z0-9._:-]{0,127}$/;

export interface DeviceIdentity {
  tenantId: string;
  deviceId: string;
  certificateDer: Buffer;
  privateKey: KeyObject;
  /** False when the key and certificate were made by this run. */
  reused: boolean;
}

export interface DevelopmentCa {
  /** The device's key and certificate (CN = device id, O = tenant id), made once and then reused. */
  device(tenantId: string, deviceId: string): Promise<DeviceIdentity>;
}

const exists = (path: string) => access(path).then(() => true, () => false);


/** Opens (or creates) the development CA in `folder`. */
export async function openDevelopmentCa(folder: string): Promise<DevelopmentCa> {
  const caKey = join(folder, 'ca.key.pem');
  const caCert = join(folder, 'ca.cert.pem');
  const extensions = join(folder, 'device-extensions.cnf');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  if (!(await exists(caKey)) || !(await exists(caCert))) {
    await runOpenssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-subj', '/CN=DSTS Development CA', '-keyout', caKey, '-out', caCert]);
  }
  await writeFile(extensions, DEVICE_EXTENSIONS);

  return {
    async device(tenantId, deviceId) {
      if (!SAFE_NAME.test(tenantId) || !SAFE_NAME.test(deviceId)) {
        throw new Error('tenant and device ids of simulated devices are 1-128 characters of A-Z a-z 0-9 . _ : -, not starting with a dot');
      }
      const base = join(folder, 'devices', tenantId, deviceId);
      const [key, cert, request] = [`${base}.key.pem`, `${base}.cert.pem`, `${base}.csr.pem`];
      const reused = (await exists(key)) && (await exists(cert));
      if (!reused) {
        await mkdir(join(folder, 'devices', tenantId), { recursive: true });
        await runOpenssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${deviceId}/O=${tenantId}`, '-keyout', key, '-out', request]);
        await runOpenssl([
          'x509', '-req', '-in', request, '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${randomBytes(16).toString('hex')}`,
          '-days', '365', '-sha256', '-extfile', extensions, '-out', cert,
        ]);
      }
      return {
        tenantId,
        deviceId,
        certificateDer: new X509Certificate(await readFile(cert)).raw,
        privateKey: createPrivateKey(await readFile(key)),
        reused,
      };
    },
  };
}
