import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { credentials, type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { testEncryptionKey } from './test-infrastructure';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const START_TIMEOUT_MS = 30_000;

export interface BuiltServices {
  /** lifecycle-api, `127.0.0.1:<port>`. */
  grpcAddress: string;
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

function grpcServing(address: string): Promise<boolean> {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = ((definition['grpc'] as GrpcObject)['health'] as GrpcObject)['v1'] as GrpcObject;
  const client = new (Health['Health'] as ServiceClientConstructor)(address, credentials.createInsecure());
  return new Promise<boolean>((done) =>
    client['check']({ service: '' }, { deadline: Date.now() + 1_000 }, (error: Error | null, response?: { status: string }) => {
      client.close();
      done(!error && response?.status === 'SERVING');
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
const builtServiceEnvironment = () => ({
  ...process.env,
  SIGNING_KEY_ENCRYPTION_KEY: testEncryptionKey(),
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
 * health check says SERVING; rejects after 30 s or as soon as `gaveUp()`
 * (e.g. a process exited).
 */
export async function waitUntilServing(grpcAddress: string, gatewayUrl: string, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!((await gatewayReady(gatewayUrl)) && (await grpcServing(grpcAddress)))) {
    if (Date.now() > deadline || gaveUp()) throw new Error('services did not become ready');
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * Starts the built apps (`dist/apps/{lifecycle-api,auth-gateway}/main.js`,
 * so the caller's test target must depend on both builds) as child processes
 * on free ports, against the jest run's database (DATABASE_URL) and Redis key
 * prefix, with the run's key-encryption key; resolves once the gateway's
 * /ready answers 200 and the gRPC health check says SERVING.
 */
export async function startBuiltServices(): Promise<BuiltServices> {
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  const env = { ...builtServiceEnvironment(), GRPC_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), REST_PORT: String(restPort) };
  let output = '';
  const children = (['lifecycle-api', 'auth-gateway'] as const).map((app) => spawnBuilt(app, env, (text) => (output += text)));
  const services: BuiltServices = {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    gatewayUrl: `http://127.0.0.1:${restPort}`,
    output: () => output,
    stop: async () => {
      await Promise.all(children.map(stopProcess));
    },
  };
  try {
    await waitUntilServing(services.grpcAddress, services.gatewayUrl, () => children.some((child) => child.exitCode !== null));
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
  const shared = { ...builtServiceEnvironment(), ...env };
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
