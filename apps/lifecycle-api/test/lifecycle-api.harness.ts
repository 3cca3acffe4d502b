import { type ChannelCredentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { createRedisCache, type Cache } from '@dsts/cache';
import { type Config, loadConfig } from '@dsts/config';
import { createPrismaClient, type PrismaClient } from '@dsts/db';
import { createLogger, createMetrics, type LoggerOptions, observeDatabaseQuery, type ServiceMetrics } from '@dsts/observability';
import { type TestGrants, type TestTls, testEncryptionKey, writeTestTls } from '@dsts/testing';
import type { TokenServices } from '@dsts/tokens';
import { DeviceSTSClient, DeviceSTSService, type DstsRequestHeader } from '@dsts/proto';
import { channelCredentials, type DeepPartial, type LifecycleCredentials, REQUEST_TYPES, type RequestOf, type ResponseOf, type RpcName } from '@dsts/client';
import { type WiredLifecycleApi, wireLifecycleApi } from '../src/app/wire-lifecycle-api';

export type { DeepPartial, RequestOf, ResponseOf, RpcName };

/** A valid request header (protocol v1) with the given request id. */
export const v1 = (requestId = 'req-1'): DstsRequestHeader => ({ protocolVersion: 'v1', requestId, requestTime: undefined });

export interface StartOptions {
  clock?: () => Date;
  /** Another database than the jest run's (e.g. one the test makes unavailable). */
  databaseUrl?: string;
  /**
   * Extra environment for loadConfig, e.g. `{ GRPC_REAL_STATUS_CODES: 'true' }` or `APPS_FILE`.
   * Both RATE_LIMIT_* limits are off unless given (as in the auth-gateway's tests).
   */
  env?: Record<string, string>;
  /** Where log lines go (default: nowhere). */
  logDestination?: LoggerOptions['destination'];
  /** Log level when `logDestination` is given (default info). */
  logLevel?: string;
  /**
   * `required` (default): TLS from {@link writeTestTls}, and the harness's
   * client presents the admin certificate (every permission).
   * `insecure-compat`: plaintext and unauthenticated, as the original.
   */
  auth?: 'required' | 'insecure-compat';
  /** More grants in the permissions file (required mode). */
  grants?: TestGrants;
}

/** How a call is made: credentials (default: the harness's own, admin) and extra metadata. */
export interface CallOptions {
  credentials?: LifecycleCredentials;
  metadata?: Metadata;
}

export interface RunningLifecycleApi {
  address: string;
  client: DeviceSTSClient;
  grpc: WiredLifecycleApi;
  /** The test CA, files and admin certificate (undefined in compatibility mode). */
  tls: TestTls | undefined;
  /** The harness client's credentials: TLS with the admin certificate, or plaintext in compatibility mode. */
  credentials: ChannelCredentials;
  config: Config;
  metrics: ServiceMetrics;
  prisma: PrismaClient;
  cache: Cache;
  /** The key store and app authenticator the server was given (the auth-gateway builds the same). */
  tokenServices: TokenServices;
  /**
   * Calls an RPC through the ts-proto client; unset request fields take proto3
   * defaults. A non-OK gRPC status rejects with the ServiceError (trailers in `metadata`).
   */
  call<K extends RpcName>(name: K, request: DeepPartial<RequestOf<K>>, options?: CallOptions): Promise<ResponseOf<K>>;
  /** Sends raw bytes as the request of `name` (for undecodable input). */
  callRaw<K extends RpcName>(name: K, bytes: Buffer): Promise<ResponseOf<K>>;
  close(): Promise<void>;
}

/**
 * Starts the lifecycle-api in-process on 127.0.0.1 (a free port), on real
 * Postgres and Redis, wired and listening like main.ts (caller access, apps
 * file synchronised, first signing key created; 2048-bit keys keep that quick).
 */
export async function startLifecycleApi(options: StartOptions = {}): Promise<RunningLifecycleApi> {
  const encryptionKey = testEncryptionKey();
  const compat = options.auth === 'insecure-compat';
  const tls = compat ? undefined : await writeTestTls(options.grants);
  const config = loadConfig({
    ...process.env,
    SIGNING_KEY_ENCRYPTION_KEY: encryptionKey,
    SIGNING_KEY_RSA_BITS: '2048',
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_FAILURES_PER_MINUTE: '0',
    ...(tls ? tls.env : { LIFECYCLE_AUTH: 'insecure-compat' }),
    ...options.env,
    DATABASE_URL: options.databaseUrl ?? process.env['DATABASE_URL'],
  });
  const metrics = createMetrics('lifecycle-api');
  const prisma = createPrismaClient({ databaseUrl: config.database.url, connectionTimeoutMs: 1_000, onQuery: observeDatabaseQuery(metrics) });
  const cache = createRedisCache({ url: config.redis.url, keyPrefix: config.redis.keyPrefix });
  const logger = options.logDestination
    ? createLogger({ service: 'lifecycle-api', level: options.logLevel ?? 'info', destination: options.logDestination })
    : createLogger({ service: 'lifecycle-api', level: 'silent' });
  const clock = options.clock ?? (() => new Date());
  const grpc = await wireLifecycleApi({
    config,
    encryptionKey: Buffer.from(encryptionKey, 'base64'),
    logger,
    metrics,
    prisma,
    cache,
    clock,
  }).catch(async (error: unknown) => {
    await tls?.remove();
    throw error;
  });
  const { port } = await grpc.listen();
  const address = `127.0.0.1:${port}`;
  const adminCredentials = channelCredentials(tls ? tls.credentials(tls.admin) : 'insecure');
  const client = new DeviceSTSClient(address, adminCredentials);

  const send = <K extends RpcName>(name: K, request: unknown, serialize: (value: never) => Buffer, callOptions: CallOptions = {}) => {
    const method = DeviceSTSService[name];
    const caller = callOptions.credentials ? new DeviceSTSClient(address, channelCredentials(callOptions.credentials)) : client;
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      caller.makeUnaryRequest(
        method.path,
        serialize as (value: unknown) => Buffer,
        method.responseDeserialize as (bytes: Buffer) => ResponseOf<K>,
        request,
        callOptions.metadata ?? new Metadata(),
        (error: ServiceError | null, response?: ResponseOf<K>) => (error ? reject(error) : resolve(response as ResponseOf<K>)),
      );
    }).finally(() => {
      if (caller !== client) caller.close();
    });
  };

  return {
    address,
    client,
    grpc,
    tls,
    credentials: adminCredentials,
    config,
    metrics,
    prisma,
    cache,
    tokenServices: grpc.tokenServices,
    call: (name, request, callOptions) =>
      send(name, REQUEST_TYPES[name].fromPartial(request as never), DeviceSTSService[name].requestSerialize, callOptions),
    callRaw: (name, bytes) => send(name, bytes, (b: never) => b),
    async close() {
      client.close();
      await grpc.shutdown();
      await Promise.allSettled([prisma.$disconnect(), cache.close(), tls?.remove()]);
    },
  };
}
