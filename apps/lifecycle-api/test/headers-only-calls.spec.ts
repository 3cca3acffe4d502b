import { type ClientHttp2Session, type ClientHttp2Stream, connect, type IncomingHttpHeaders } from 'node:http2';
import { captureLogs, eventually } from '@dsts/testing';
import { REQUEST_MESSAGE_WAIT_MS } from '../src/app/request-message-wait.interceptor';
import { type RunningLifecycleApi, startLifecycleApi } from './lifecycle-api.harness';

/** A TLS HTTP/2 connection to the service, trusting the test CA, with no client certificate. */
async function rawConnection(api: RunningLifecycleApi): Promise<ClientHttp2Session> {
  const session = connect(`https://${api.address}`, { ca: api.tls?.pki.caPem, ALPNProtocols: ['h2'] });
  await new Promise<void>((resolve, reject) => {
    session.once('remoteSettings', () => resolve());
    session.once('error', reject);
  });
  return session;
}

/** Opens a DeviceSTS call that sends its metadata and never its message (no grpc-timeout either). */
const headersOnly = (session: ClientHttp2Session, method = 'GetDevice'): ClientHttp2Stream =>
  session.request(
    { ':method': 'POST', ':path': `/krypton.dsts.DeviceSTS/${method}`, 'content-type': 'application/grpc', te: 'trailers' },
    { endStream: false },
  );

/** The grpc-status the server ends the stream with (trailers, or a trailers-only response); undefined if it closes without one. */
const finalStatus = (stream: ClientHttp2Stream) =>
  new Promise<string | undefined>((resolve) => {
    const take = (headers: IncomingHttpHeaders) => {
      if (headers['grpc-status'] !== undefined) resolve(String(headers['grpc-status']));
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('close', () => resolve(undefined));
    stream.resume();
  });

describe('calls that send metadata but no message (raw HTTP/2 over TLS)', () => {
  const log = captureLogs();
  let api: RunningLifecycleApi;
  beforeAll(async () => {
    api = await startLifecycleApi({ logDestination: log.destination });
  });
  afterAll(() => api?.close());

  it('advertises SETTINGS_MAX_CONCURRENT_STREAMS = GRPC_MAX_CONCURRENT_STREAMS (default 100)', async () => {
    const session = await rawConnection(api);
    try {
      expect(session.remoteSettings.maxConcurrentStreams).toBe(100);
    } finally {
      session.destroy();
    }
    const limited = await startLifecycleApi({ env: { GRPC_MAX_CONCURRENT_STREAMS: '7' } });
    const other = await rawConnection(limited);
    try {
      expect(other.remoteSettings.maxConcurrentStreams).toBe(7);
    } finally {
      other.destroy();
      await limited.close();
    }
  });

  it('refuses a call without credentials within a few seconds although its message never comes, and audits it', async () => {
    const session = await rawConnection(api);
    try {
      const started = Date.now();
      const status = await finalStatus(headersOnly(session));
      expect(status).toBe('16'); // UNAUTHENTICATED
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(log.auditLines().filter((line) => line['operation'] === 'GetDevice' && line['reason'] === 'NO_CREDENTIALS').length).toBeGreaterThan(0);
    } finally {
      session.destroy();
    }
  });

  // Regression: the 5 s wait covered refused calls only; an open RPC (or any call in compatibility mode) held its stream for ever.
  it('ends an admitted call whose message never comes with DEADLINE_EXCEEDED after REQUEST_MESSAGE_WAIT_MS', async () => {
    const session = await rawConnection(api);
    try {
      const started = Date.now();
      const status = await finalStatus(headersOnly(session, 'GetAppAuthenticationChallenge'));
      expect(status).toBe('4'); // DEADLINE_EXCEEDED
      expect(Date.now() - started).toBeLessThan(REQUEST_MESSAGE_WAIT_MS + 3_000);
    } finally {
      session.destroy();
    }
    const compat = await startLifecycleApi({ auth: 'insecure-compat' });
    const plaintext = connect(`http://${compat.address}`);
    try {
      expect(await finalStatus(headersOnly(plaintext, 'GetDevice'))).toBe('4');
    } finally {
      plaintext.destroy();
      await compat.close();
    }
  }, 30_000);

  it('writes no audit line and no warning for calls the client abandoned before sending their message', async () => {
    const before = log.lines().length;
    const session = await rawConnection(api);
    const streams = Array.from({ length: 20 }, () => headersOnly(session, 'ListDevices'));
    for (const stream of streams) stream.on('error', () => undefined);
    // Let the server receive every stream's metadata, then drop the connection with all of them pending.
    await new Promise((resolve) => setTimeout(resolve, 300));
    session.destroy();

    const cancelled = async () =>
      (await api.metrics.requests.get()).values.find(({ labels }) => labels.method === 'ListDevices' && labels.code === 'CANCELLED')?.value;
    await eventually('the abandoned calls counted as CANCELLED', async () => ((await cancelled()) === 20 ? true : undefined), { timeoutMs: 3_000 });
    const after = log.lines().slice(before);
    expect(after.filter((line) => line['log'] === 'audit')).toEqual([]);
    expect(after.filter((line) => line['msg'] === 'call refused')).toEqual([]);
  });
});
