import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { UsageError } from './command';

/** DER bytes of the certificate in `path`, which holds it as PEM or DER (node:crypto parses both). */
export async function readCertificateDer(path: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return new X509Certificate(bytes).raw;
  } catch {
    throw new UsageError(`${path} is not an X.509 certificate (PEM or DER)`);
  }
}
