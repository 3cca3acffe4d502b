import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs the `openssl` command line (the tools make their development
 * certificates with it, as an operator would); a failure names the
 * subcommand and carries openssl's own message.
 */
export async function runOpenssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    throw new Error(code === 'ENOENT' ? 'the openssl command is needed to make certificates: install OpenSSL' : `openssl ${args[0]} failed: ${stderr ?? error}`);
  }
}
