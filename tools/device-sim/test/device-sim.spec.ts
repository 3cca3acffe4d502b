import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLifecycleClient } from '@dsts/client';
import { type BuiltServices, freePort, startBuiltServices } from '@dsts/testing';
import { runSimulator } from '../src/simulator';

describe('device-sim against the built services', () => {
  let services: BuiltServices;
  let dataDir: string;

  beforeAll(async () => {
    [services, dataDir] = await Promise.all([startBuiltServices(), mkdtemp(join(tmpdir(), 'device-sim-'))]);
  }, 60_000);
  afterAll(async () => {
    await services?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function simulate(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    // The test's own arguments come last, so they may override the defaults.
    const code = await runSimulator(['--gateway', services.gatewayUrl, '--address', services.grpcAddress, '--data-dir', dataDir, ...argv], {
      stdout: (text) => (stdout += `${text}\n`),
      stderr: (text) => (stderr += `${text}\n`),
      progress: (text) => (stderr += text),
      env: services.tls.toolEnv,
    });
    return { code, stdout, stderr };
  }

  it('registers one device, authenticates it and prints the claims of the JWKS-verified token; a second run reuses its files', async () => {
    const first = await simulate('--tid', 'sim-t', '--device-id', 'sim-1');
    expect(first.code).toBe(0);
    const [headline, ...claims] = first.stdout.split('\n');
    expect(headline).toMatch(/^device sim-1 of tenant sim-t: token verified with the JWKS \(kid [0-9a-f]{64}\)$/);
    const decoded = JSON.parse(claims.join('\n'));
    expect(decoded).toEqual({
      jti: expect.any(String),
      iss: 'HP Device Token Service',
      sub: 'sim-1',
      iat: expect.any(Number),
      nbf: decoded.iat,
      exp: decoded.iat + 3600,
      typ: 'device',
      tid: 'sim-t',
    });
    expect((await readdir(join(dataDir, 'devices', 'sim-t'))).sort()).toEqual(['sim-1.cert.pem', 'sim-1.csr.pem', 'sim-1.key.pem']);

    const again = await simulate('--tid', 'sim-t', '--device-id', 'sim-1');
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n')[0]).toBe(headline);
  });

  it('runs many devices with a progress bar and prints throughput and latency percentiles', async () => {
    const { code, stdout, stderr } = await simulate('--tid', 'sim-load', '--device-id', 'load', '--count', '5', '--concurrency', '2');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^5\/5 devices got a verified token; 0 failed\nthroughput: \d+\.\d flows\/s \(5 flows in \d+\.\d\d s, concurrency 2\)\nlatency \(challenge \+ token\): p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms\n$/,
    );
    expect(stderr).toContain('\rregister     [' + '#'.repeat(30) + '] 5/5\n');
    expect(stderr).toContain('\rauthenticate [' + '#'.repeat(30) + '] 5/5\n');
  });

  it('fails with exit code 1 and the gateway\'s reason when a device cannot authenticate', async () => {
    expect((await simulate('--tid', 'sim-t', '--device-id', 'sim-blocked')).code).toBe(0);
    const client = createLifecycleClient(services.grpcAddress, services.tls.credentials(services.tls.admin));
    await client.call('updateDevice', { tid: 'sim-t', deviceId: 'sim-blocked', updateMask: ['enabled'], update: { isEnabled: false } });
    client.close();
    const { code, stdout, stderr } = await simulate('--tid', 'sim-t', '--device-id', 'sim-blocked');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('device-sim: sim-blocked: token: HTTP 401 device authentication is blocked\n');
  });

  it('refuses bad options with exit code 2', async () => {
    expect(await simulate('--count', '0')).toMatchObject({ code: 2, stderr: expect.stringContaining('--count must be a positive integer') });
  });

  it('names the gateway it cannot reach', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await simulate('--tid', 'sim-t', '--device-id', 'sim-unreachable', '--gateway', closed);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot reach ${closed}: ECONNREFUSED`);
  });

  // Regression: `..` as an id wrote key files outside the data folder.
  it('refuses ids that would leave the data folder', async () => {
    const { code, stderr } = await simulate('--tid', '..', '--device-id', '..');
    expect(code).not.toBe(0);
    expect(stderr).toContain('not starting with a dot');
  });
});
