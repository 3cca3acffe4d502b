import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '@dsts/config';

/** The lifecycle-api's TLS material, read and checked at start. */
export interface ServerTls {
  /** PEM: the server certificate, optionally followed by its intermediates. */
  certificateChain: Buffer;
  /** PEM private key of the server certificate. */
  privateKey: Buffer;
  /** PEM bundle of the admin CA(s) client certificates must chain to; undefined = no client certificates. */
  clientCa: Buffer | undefined;
}

export interface ServerTlsFiles {
  certFile: string;
  keyFile: string;
  clientCaFile: string | undefined;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

async function readVariableFile(variable: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ConfigError([`${variable} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
}

function parseCertificates(variable: string, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError([`${variable} holds no PEM certificate`]);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new ConfigError([`${variable} certificate ${index + 1} does not parse`]);
    }
  });
}

function checkValidity(variable: string, certificate: X509Certificate, now: Date): void {
  if (new Date(certificate.validTo) < now) throw new ConfigError([`${variable} certificate has expired`]);
  if (new Date(certificate.validFrom) > now) throw new ConfigError([`${variable} certificate is not valid yet`]);
}

/**
 * Reads `GRPC_TLS_CERT_FILE`, `GRPC_TLS_KEY_FILE` and (when set)
 * `GRPC_TLS_CLIENT_CA_FILE`, and refuses — with a ConfigError naming the
 * variable — files that cannot be read or parsed, a key that does not belong
 * to the certificate, a certificate outside its validity, or a client CA
 * bundle with anything but CA certificates.
 */
export async function readServerTls(files: ServerTlsFiles, now: Date): Promise<ServerTls> {
  const certificateChain = await readVariableFile('GRPC_TLS_CERT_FILE', files.certFile);
  const [leaf] = parseCertificates('GRPC_TLS_CERT_FILE', certificateChain);
  checkValidity('GRPC_TLS_CERT_FILE', leaf, now);
  const privateKey = await readVariableFile('GRPC_TLS_KEY_FILE', files.keyFile);
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    throw new ConfigError(['GRPC_TLS_KEY_FILE is not a PEM private key (an encrypted key needs its passphrase removed)']);
  }
  if (!leaf.checkPrivateKey(key)) throw new ConfigError(['GRPC_TLS_KEY_FILE is not the key of the certificate in GRPC_TLS_CERT_FILE']);

  let clientCa: Buffer | undefined;
  if (files.clientCaFile) {
    clientCa = await readVariableFile('GRPC_TLS_CLIENT_CA_FILE', files.clientCaFile);
    for (const certificate of parseCertificates('GRPC_TLS_CLIENT_CA_FILE', clientCa)) {
      if (!certificate.ca) throw new ConfigError(['GRPC_TLS_CLIENT_CA_FILE holds a certificate that is not a CA']);
      checkValidity('GRPC_TLS_CLIENT_CA_FILE', certificate, now);
    }
  }
  return { certificateChain, privateKey, clientCa };
}
