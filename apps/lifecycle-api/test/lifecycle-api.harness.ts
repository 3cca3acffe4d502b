import { credentials, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import { createRedisCache, type Cache } from '@dsts/cache';
import { type Config, loadConfig } from '@dsts/config';
import { createPrismaClient, type PrismaClient } from '@dsts/db';
import { createLogger, createMetrics, type LoggerOptions, observeDatabaseQuery, type ServiceMetrics } from '@dsts/observability';
import { testEncryptionKey } from '@dsts/testing';
import type { TokenServices } from '@dsts/tokens';
import { DeviceSTSClient, DeviceSTSService, type DstsRequestHeader } from '@dsts/proto';
import { type DeepPartial, REQUEST_TYPES, type RequestOf, type ResponseOf, type RpcName } from '@dsts/client';
import type { LifecycleGrpcServer } from '../src/app/create-grpc-server';
import { wireLifecycleApi } from '../src/app/wire-lifecycle-api';

export type { DeepPartial, RequestOf, ResponseOf, RpcName };

/** A valid request header (protocol v1) with the given request id. */
export const v1 = (requestId = 'req-1'): DstsRequestHeader => ({ protocolVersion: 'v1', requestId, requestTime: undefined });

export interface StartOptions {
  clock?: () => Date;
  /** Another database than the jest run's (e.g. one the test makes unavailable). */
  databaseUrl?: string;
  /** Extra environment for loadConfig, e.g. `{ GRPC_REAL_STATUS_CODES: 'true' }` or `APPS_FILE`. */
  env?: Record<string, string>;
  /** Where log lines go (default: nowhere). */
  logDestination?: LoggerOptions['destination'];
  /** Log level when `logDestination` is given (default info). */
  logLevel?: string;
}

export interface RunningLifecycleApi {
  address: string;
  client: DeviceSTSClient;
  grpc: LifecycleGrpcServer;
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
  call<K extends RpcName>(name: K, request: DeepPartial<RequestOf<K>>): Promise<ResponseOf<K>>;
  /** Sends raw bytes as the request of `name` (for undecodable input). */
  callRaw<K extends RpcName>(name: K, bytes: Buffer): Promise<ResponseOf<K>>;
  close(): Promise<void>;
}

/**
 * Starts the lifecycle-api in-process on 127.0.0.1:0, on real Postgres and
 * Redis, wired like main.ts (apps file synchronised, first signing key
 * created; 2048-bit keys keep that quick).
 */
export async function startLifecycleApi(options: StartOptions = {}): Promise<RunningLifecycleApi> {
  const encryptionKey = testEncryptionKey();
  const config = loadConfig({
    ...process.env,
    SIGNING_KEY_ENCRYPTION_KEY: encryptionKey,
    SIGNING_KEY_RSA_BITS: '2048',
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
  const { tokenServices, databaseHealth, ...grpc } = await wireLifecycleApi({
    config,
    encryptionKey: Buffer.from(encryptionKey, 'base64'),
    logger,
    metrics,
    prisma,
    cache,
    clock,
  });
  const port = await new Promise<number>((resolve, reject) =>
    grpc.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const address = `127.0.0.1:${port}`;
  const client = new DeviceSTSClient(address, credentials.createInsecure());

  const send = <K extends RpcName>(name: K, request: unknown, serialize: (value: never) => Buffer) => {
    const method = DeviceSTSService[name];
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      client.makeUnaryRequest(
        method.path,
        serialize as (value: unknown) => Buffer,
        method.responseDeserialize as (bytes: Buffer) => ResponseOf<K>,
        request,
        (error: ServiceError | null, response?: ResponseOf<K>) => (error ? reject(error) : resolve(response as ResponseOf<K>)),
      );
    });
  };

  return {
    address,
    client,
    grpc,
    config,
    metrics,
    prisma,
    cache,
    tokenServices,
    call: (name, request) => send(name, REQUEST_TYPES[name].fromPartial(request as never), DeviceSTSService[name].requestSerialize),
    callRaw: (name, bytes) => send(name, bytes, (b: never) => b),
    async close() {
      databaseHealth.stop();
      client.close();
      await new Promise<void>((resolve) => grpc.server.tryShutdown(() => resolve()));
      await Promise.allSettled([prisma.$disconnect(), cache.close()]);
    },
  };
}
