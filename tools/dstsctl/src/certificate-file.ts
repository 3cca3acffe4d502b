import { readFile, stat } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { UsageError } from './command';

/** A PEM of the largest certificate the server accepts (16 KiB DER) is ~22 KiB; leave room for comments. */
const MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;

/** DER bytes of the certificate in `path`, which holds it as PEM or DER (node:crypto parses both). */
export async function readCertificateDer(path: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    // The server refuses certificates above 16 KiB; never read an unbounded file (e.g. /dev/zero).
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_CERTIFICATE_FILE_BYTES) throw new Error(`larger than ${MAX_CERTIFICATE_FILE_BYTES} bytes`);
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
