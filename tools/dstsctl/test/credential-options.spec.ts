import { runCli } from '../src/cli';

/** dstsctl `keys list` with `argv` and `env`: these command lines are refused before any call, so no server is needed. */
async function keysListWith(env: Record<string, string | undefined>, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['keys', 'list', '--address', '127.0.0.1:1', ...argv], {
    stdout: (text) => (stdout += `${text}\n`),
    stderr: (text) => (stderr += `${text}\n`),
    env,
  });
  return { code, stdout, stderr };
}

describe('dstsctl credential options that contradict each other', () => {
  // Regression: exit code 1 (a failed call), though README says a bad command line exits 2.
  it('refuses --insecure with --app-token as a bad command line (exit 2, with the usage), never sending the token in plaintext', async () => {
    expect(await keysListWith({}, '--insecure', '--app-token', 'x.y.z')).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^dstsctl: a bearer token is only sent over TLS: drop --insecure or --app-token\n\nusage: dstsctl keys list/),
    });
    expect(await keysListWith({ DSTS_GRPC_INSECURE: 'true', DSTS_GRPC_APP_TOKEN: 'x.y.z' })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('dstsctl: a bearer token is only sent over TLS'),
    });
  });

  it('refuses --client-cert without --client-key as a bad command line (exit 2)', async () => {
    expect(await keysListWith({ DSTS_GRPC_CA: '/nonexistent/ca.pem' }, '--client-cert', '/nonexistent/admin.pem')).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^dstsctl: --client-cert and --client-key go together\n\nusage: dstsctl keys list/),
    });
  });
});
