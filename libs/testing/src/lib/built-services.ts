import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type ChannelCredentials, type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { channelCredentials } from '@dsts/client';
import { type TestGrants, type TestTls, writeTestTls } from './test-tls';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const START_TIMEOUT_MS = 30_000;

export interface BuiltServices {
  /** lifecycle-api, `127.0.0.1:<port>` (TLS, client certificates from `tls.pki`, the admin's granted everything). */
  grpcAddress: string;
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

async function grpcServing(address: string, channelCredentials: () => Promise<ChannelCredentials>): Promise<boolean> {
  let credentials: ChannelCredentials;
  try {
    credentials = await channelCredentials();
  } catch {
    return false;
  }
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = ((definition['grpc'] as GrpcObject)['health'] as GrpcObject)['v1'] as GrpcObject;
  const client = new (Health['Health'] as ServiceClientConstructor)(address, credentials);
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
 * Resolves once the gateway's /ready answers 200 and the lifecycle-api's gRPC
 * health check (over `grpcCredentials`, which may fail while the files they
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
  while (!((await gatewayReady(gatewayUrl)) && (await grpcServing(grpcAddress, grpcCredentials)))) {
    if (Date.now() > deadline || gaveUp()) throw new Error('services did not become ready');
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * Starts the built apps (`dist/apps/{lifecycle-api,auth-gateway}/main.js`,
 * so the caller's test target must depend on both builds) as child processes
 * on free ports, against the jest run's database (DATABASE_URL) and Redis key
 * prefix, with a random key-encryption key and the lifecycle-api on TLS
 * ({@link writeTestTls}, plus `grants`), and `env` on top; resolves once the
 * gateway's /ready answers 200 and the gRPC health check says SERVING.
 */
export async function startBuiltServices(options: { grants?: TestGrants; env?: Record<string, string> } = {}): Promise<BuiltServices> {
  const [grpcPort, restPort] = [await freePort(), await freePort()];
  const tls = await writeTestTls(options.grants);
  const env = {
    ...process.env,
    ...tls.env,
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SIGNING_KEY_RSA_BITS: '2048',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    REST_HOST: '127.0.0.1',
    REST_PORT: String(restPort),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  let output = '';
  const children = ['lifecycle-api', 'auth-gateway'].map((app) => {
    const child = spawn(process.execPath, [resolve(WORKSPACE_ROOT, 'dist/apps', app, 'main.js')], { cwd: WORKSPACE_ROOT, env });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return child;
  });
  const services: BuiltServices = {
    grpcAddress: `127.0.0.1:${grpcPort}`,
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
