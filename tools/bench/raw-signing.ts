import { execFile } from 'node:child_process';
import { type KeyObject, sign } from 'node:crypto';
import { promisify } from 'node:util';

const signAsync = promisify((data: Buffer, key: KeyObject, done: (error: Error | null, signature: Buffer) => void) =>
  sign('sha512', data, key, done),
);

/**
 * RSA/SHA-512 signatures per second with `concurrency` asynchronous
 * `crypto.sign` calls in flight: libuv's thread pool spreads them over the
 * cores, which is how the gateway's key store signs.
 */
export async function nodeSigningRate(
  privateKey: KeyObject,
  data: Buffer,
  seconds: number,
  concurrency: number,
): Promise<{ signatures: number; elapsedMs: number }> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await signAsync(data, privateKey);
        count++;
      }
    }),
  );
  return { signatures: count, elapsedMs: performance.now() - started };
}

/**
 * `openssl speed -seconds N -multi P rsa4096` sign/s (OpenSSL's own key and
 * digest, one process per core), or undefined when openssl is not installed.
 */
export async function opensslSigningRate(seconds: number, processes: number): Promise<number | undefined> {
  const { stdout } = await promisify(execFile)('openssl', ['speed', '-seconds', String(seconds), '-multi', String(processes), 'rsa4096']).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return { stdout: '' };
      throw error;
    },
  );
  const match = /^rsa\s+4096 bits\s+\S+\s+\S+\s+([\d.]+)/m.exec(stdout);
  return match ? Number(match[1]) : undefined;
}
