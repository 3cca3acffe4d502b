import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createLifecycleClient, type DecodedJws, resolveLifecycleCredentials } from '@dsts/client';
import { type DeviceIdentity, openDevelopmentCa } from './dev-ca';
import { authenticateDevice, fetchJwks, registerDevice, verifyDeviceToken } from './device-flow';
import { summarizeLatencies } from './latency-stats';
import { progressBar, runPool } from './worker-pool';

export interface SimulatorIo {
  stdout(text: string): void;
  /** Error lines (stderr). */
  stderr(text: string): void;
  /** Progress bar redraws (stderr, as is). */
  progress(text: string): void;
  env: Record<string, string | undefined>;
}

const USAGE = `usage: device-sim [options]

Makes device keys and certificates signed by a local development CA (reused
from --data-dir), registers the devices through the lifecycle-api
(CreateDevice), runs challenge -> assertion -> token against the auth-gateway,
verifies every token with the JWKS and prints the claims (one device) or
throughput and latency percentiles (--count > 1).

options:
  --gateway URL         auth-gateway (default: $DSTS_GATEWAY_URL or http://127.0.0.1:7001)
  --address HOST:PORT   lifecycle-api (default: $DSTS_GRPC_ADDRESS or localhost:7000)
  --ca FILE             CA of the lifecycle-api's certificate (default: $DSTS_GRPC_CA or .data/tls/ca.pem of npm start)
  --client-cert FILE, --client-key FILE
                        client certificate and key for CreateDevice (default: $DSTS_GRPC_CLIENT_CERT and
                        $DSTS_GRPC_CLIENT_KEY, or .data/tls/admin.pem and admin.key)
  --app-token JWT       app access token (Bearer) instead of the default certificate (default: $DSTS_GRPC_APP_TOKEN)
  --insecure            plaintext without credentials, for a lifecycle-api in compatibility mode
  --tid T               tenant id (default: sim-tenant)
  --device-id D         device id; with --count N the devices are D-1 … D-N (default: sim-device)
  --count N             devices to simulate (default 1)
  --concurrency C       flows in flight at once (default 1)
  --data-dir DIR        CA and device files (default: .data/device-sim in the repository)
  --help                show this help`;

const WORKSPACE_ROOT = resolve(__dirname, '../../..');

const OPTIONS = {
  gateway: { type: 'string' },
  address: { type: 'string' },
  ca: { type: 'string' },
  'client-cert': { type: 'string' },
  'client-key': { type: 'string' },
  'app-token': { type: 'string' },
  insecure: { type: 'boolean' },
  tid: { type: 'string', default: 'sim-tenant' },
  'device-id': { type: 'string', default: 'sim-device' },
  count: { type: 'string', default: '1' },
  concurrency: { type: 'string', default: '1' },
  'data-dir': { type: 'string', default: resolve(WORKSPACE_ROOT, '.data/device-sim') },
  help: { type: 'boolean' },
} as const;

function positive(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a positive integer`);
  return Number(value);
}

const errorText = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

/** Runs the simulator for one command line; resolves with the exit code (0 when every device got a verified token). */
export async function runSimulator(argv: string[], io: SimulatorIo): Promise<number> {
  let values;
  let count: number;
  let concurrency: number;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true }).values;
    count = positive(values.count, 'count');
    concurrency = positive(values.concurrency, 'concurrency');
  } catch (error) {
    io.stderr(`device-sim: ${errorText(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const gateway = values.gateway ?? io.env['DSTS_GATEWAY_URL'] ?? 'http://127.0.0.1:7001';
  let credentials;
  try {
    credentials = await resolveLifecycleCredentials(values, io.env, WORKSPACE_ROOT);
  } catch (error) {
    io.stderr(`device-sim: ${errorText(error)}`);
    return 1;
  }
  const client = createLifecycleClient(values.address ?? io.env['DSTS_GRPC_ADDRESS'] ?? 'localhost:7000', credentials);
  const tid = values.tid;
  const deviceIds = count === 1 ? [values['device-id']] : Array.from({ length: count }, (_, i) => `${values['device-id']}-${i + 1}`);
  try {
    const ca = await openDevelopmentCa(values['data-dir']);
    const prepared = await runPool(
      count,
      concurrency,
      async (i) => {
        const device = await ca.device(tid, deviceIds[i]);
        await registerDevice(client, device);
        return device;
      },
      (done) => io.progress(progressBar('register', done, count)),
    );
    const devices = prepared.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failures = prepared.flatMap((result, i) => (result.status === 'rejected' ? [`${deviceIds[i]}: register: ${errorText(result.reason)}`] : []));

    const latencies: number[] = [];
    const started = performance.now();
    const authenticated = await runPool(
      devices.length,
      concurrency,
      async (i) => {
        const begin = performance.now();
        const token = await authenticateDevice(gateway, devices[i]);
        latencies.push(performance.now() - begin);
        return token;
      },
      (done) => io.progress(progressBar('authenticate', done, devices.length)),
    );
    const seconds = (performance.now() - started) / 1000;

    const jwks = await fetchJwks(gateway);
    const verified: { device: DeviceIdentity; decoded: DecodedJws }[] = [];
    authenticated.forEach((result, i) => {
      try {
        if (result.status === 'rejected') throw result.reason;
        verified.push({ device: devices[i], decoded: verifyDeviceToken(result.value, jwks, devices[i]) });
      } catch (error) {
        failures.push(`${devices[i].deviceId}: ${errorText(error)}`);
      }
    });

    if (count === 1 && verified.length === 1) {
      const { device, decoded } = verified[0];
      io.stdout(`device ${device.deviceId} of tenant ${device.tenantId}: token verified with the JWKS (kid ${String(decoded.header['kid'])})`);
      io.stdout(JSON.stringify(decoded.claims, null, 2));
    } else if (count > 1) {
      const stats = summarizeLatencies(latencies);
      const ms = (value: number) => `${value.toFixed(1)} ms`;
      io.stdout(`${verified.length}/${count} devices got a verified token; ${failures.length} failed`);
      io.stdout(`throughput: ${(authenticated.length / seconds).toFixed(1)} flows/s (${authenticated.length} flows in ${seconds.toFixed(2)} s, concurrency ${concurrency})`);
      io.stdout(`latency (challenge + token): p50 ${ms(stats.p50)}, p90 ${ms(stats.p90)}, p99 ${ms(stats.p99)}, max ${ms(stats.max)}`);
    }
    for (const failure of failures.slice(0, 10)) io.stderr(`device-sim: ${failure}`);
    return failures.length === 0 ? 0 : 1;
  } catch (error) {
    io.stderr(`device-sim: ${errorText(error)}`);
    return 1;
  } finally {
    client.close();
  }
}
