import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type ChannelCredentials, credentials, type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { channelCredentials } from '@dsts/client';
import { testEncryptionKey } from './test-infrastructure';
import { type TestGrants, type TestTls, writeTestTls } from './test-tls';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const START_TIMEOUT_MS = 30_000;
/** The lifecycle-api's readiness: its health status of the DeviceSTS service (follows the database). */
const LIFECYCLE_READINESS_SERVICE = 'krypton.dsts.DeviceSTS';

export interface BuiltServices {
  /** lifecycle-api, `127.0.0.1:<port>` (TLS, client certificates from `tls.pki`, the admin's granted everything). */
  grpcAddress: string;
  /** lifecycle-api's plaintext health-only port (GRPC_HEALTH_PORT), `127.0.0.1:<port>`. */
  grpcHealthAddress: string;
  /** lifecycle-api's Prometheus endpoint, `http://127.0.0.1:<port>/metrics`. */
  lifecycleMetricsUrl: string;
  tls: TestTls;
  /** auth-gateway, `http://127.0.0.1:<port>`. */
  gatewayUrl: string;
  /** What both processes printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now (127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/**
 * What `grpc.health.v1.Health/Check` answers for `service` (e.g. `SERVING`), or
 * `unreachable` (also when the credentials cannot be made yet).
 */
export async function grpcHealthStatus(
  address: string,
  service = '',
  makeCredentials: () => Promise<ChannelCredentials> = async () => credentials.createInsecure(),
): Promise<string> {
  let callCredentials: ChannelCredentials;
  try {
    callCredentials = await makeCredentials();
  } catch {
    return 'unreachable';
  }
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = ((definition['grpc'] as GrpcObject)['health'] as GrpcObject)['v1'] as GrpcObject;
  const client = new (Health['Health'] as ServiceClientConstructor)(address, callCredentials);
  return new Promise<string>((done) =>
    client['check']({ service }, { deadline: Date.now() + 1_000 }, (error: Error | null, response?: { status: string }) => {
      client.close();
      done(error ? 'unreachable' : (response?.status ?? 'unreachable'));
    }),
  );
}

async function gatewayReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/ready`)).status === 200;
  } catch {
    return false;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

/**
 * What the processes a test starts share with everything else of its jest
 * run: the database and Redis key prefix (inherited) and the run's
 * key-encryption key (its key table is shared); quick 2048-bit signing keys,
 * loopback only, warnings only.
 */
const builtServiceEnvironment = (databaseUrl?: string) => ({
  ...process.env,
  SIGNING_KEY_ENCRYPTION_KEY: testEncryptionKey(databaseUrl),
  SIGNING_KEY_RSA_BITS: '2048',
  REST_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
});

/** Starts `dist/apps/<app>/main.js`; everything it prints goes to `onOutput`. */
function spawnBuilt(app: 'lifecycle-api' | 'auth-gateway', env: NodeJS.ProcessEnv, onOutput: (text: string) => void): ChildProcess {
  const child = spawn(process.execPath, [resolve(WORKSPACE_ROOT, 'dist/apps', app, 'main.js')], { cwd: WORKSPACE_ROOT, env });
  child.stdout.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => onOutput(chunk.toString()));
  return child;
}

/**
 * Resolves once the gateway's /ready answers 200 and the lifecycle-api's gRPC
 * readiness check (over `grpcCredentials`, which may fail while the files they
 * need are being made) says SERVING; rejects after 30 s or as soon as
 * `gaveUp()` (e.g. a process exited).
 */
export async function waitUntilServing(
  grpcAddress: string,
  gatewayUrl: string,
  gaveUp: () => boolean,
  grpcCredentials: () => Promise<ChannelCredentials>,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!((await gatewayReady(gatewayUrl)) && (await grpcHealthStatus(grpcAddress, LIFECYCLE_READINESS_SERVICE, grpcCredentials)) === 'SERVING')) {
    if (Date.now() > deadline || gaveUp()) throw new Error('services did not become ready');
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * Starts the built apps (`dist/apps/{lifecycle-api,auth-gateway}/main.js`,
 * so the caller's test target must depend on both builds) as child processes
 * on free ports, against the jest run's database (DATABASE_URL) and Redis key
 * prefix, with the run's key-encryption key (`testEncryptionKey` of the
 * database, so in-process tests on the same database can use the signing keys
 * these processes create), the lifecycle-api on TLS ({@link writeTestTls},
 * plus `grants`), and `env` on top; resolves once the gateway's /ready
 * answers 200 and the gRPC health check says SERVING.
 */
export async function startBuiltServices(options: { grants?: TestGrants; env?: Record<string, string> } = {}): Promise<BuiltServices> {
  const [grpcPort, grpcHealthPort, restPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const tls = await writeTestTls(options.grants);
  const env = {
    ...builtServiceEnvironment(options.env?.['DATABASE_URL']),
    ...tls.env,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    GRPC_HEALTH_PORT: String(grpcHealthPort),
    REST_PORT: String(restPort),
    METRICS_PORT: String(metricsPort),
    ...options.env,
  };
  let output = '';
  const children = (['lifecycle-api', 'auth-gateway'] as const).map((app) => spawnBuilt(app, env, (text) => (output += text)));
  const services: BuiltServices = {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    grpcHealthAddress: `127.0.0.1:${grpcHealthPort}`,
    lifecycleMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    tls,
    gatewayUrl: `http://127.0.0.1:${restPort}`,
    output: () => output,
    stop: async () => {
      await Promise.all(children.map(stopProcess));
      await tls.remove();
    },
  };
  try {
    await waitUntilServing(
      services.grpcAddress,
      services.gatewayUrl,
      () => children.some((child) => child.exitCode !== null),
      async () => channelCredentials(tls.credentials()),
    );
  } catch (error) {
    await services.stop();
    throw new Error(`${(error as Error).message}:\n${output}`);
  }
  return services;
}

export interface BuiltGateways {
  /** `http://127.0.0.1:<port>` of each replica. */
  urls: string[];
  /** What the processes printed so far (JSON log lines, audit lines among them). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `count` auth-gateway processes (`dist/apps/auth-gateway/main.js`;
 * the test target must depend on its build) as replicas of one deployment:
 * the jest run's database and Redis key prefix, one key-encryption key,
 * `env` on top. Resolves once every replica's /ready answers 200.
 */
export async function startBuiltGateways(count: number, env: Record<string, string> = {}): Promise<BuiltGateways> {
  const ports = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  const shared = { ...builtServiceEnvironment(env['DATABASE_URL']), ...env };
  let output = '';
  const children = ports.map((port) => spawnBuilt('auth-gateway', { ...shared, REST_PORT: String(port) }, (text) => (output += text)));
  const gateways: BuiltGateways = {
    urls: ports.map((port) => `http://127.0.0.1:${port}`),
    output: () => output,
    stop: async () => {
      await Promise.all(children.map(stopProcess));
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await Promise.all(gateways.urls.map(gatewayReady))).every(Boolean)) {
    if (Date.now() > deadline || children.some((child) => child.exitCode !== null)) {
      await gateways.stop();
      throw new Error(`auth-gateway replicas did not become ready:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return gateways;
}
