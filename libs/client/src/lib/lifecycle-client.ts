import { randomUUID } from 'node:crypto';
import { type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { DeviceSTSClient, DeviceSTSService, type DstsResponseHeader } from '@dsts/proto';
import { channelCredentials, type LifecycleCredentials } from './lifecycle-credentials';
import { type DeepPartial, REQUEST_TYPES, type RequestOf, type ResponseOf, type RpcName } from './lifecycle-rpc';

/** A failed lifecycle-api call: `header.status` ≠ 0, or the gRPC call itself failed. */
export class LifecycleCallError extends Error {
  constructor(
    message: string,
    /** Numeric gRPC status code (from `header.status` or the transport). */
    readonly status: number,
    readonly source: 'header' | 'transport',
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'LifecycleCallError';
  }
}

/** The request fields of an RPC; the header is filled in by the client. */
export type LifecycleRequest<K extends RpcName> = Omit<DeepPartial<RequestOf<K>>, 'header'>;

export interface LifecycleClient {
  /**
   * Calls `rpc` with a v1 header and a fresh request id. Resolves with the
   * response when `header.status` is OK (0); rejects with a
   * {@link LifecycleCallError} otherwise.
   */
  call<K extends RpcName>(rpc: K, request: LifecycleRequest<K>): Promise<ResponseOf<K>>;
  close(): void;
}

export interface LifecycleClientOptions {
  /** Per-call deadline (default 10 s). */
  timeoutMs?: number;
}

const statusName = (code: number) => Object.entries(GrpcStatus).find(([, value]) => value === code)?.[0] ?? String(code);

/** A gRPC client of the lifecycle-api at `host:port`. */
export function createLifecycleClient(address: string, credentials: LifecycleCredentials, options: LifecycleClientOptions = {}): LifecycleClient {
  const client = new DeviceSTSClient(address, channelCredentials(credentials));
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    call<K extends RpcName>(rpc: K, request: LifecycleRequest<K>) {
      const method = DeviceSTSService[rpc];
      const message = REQUEST_TYPES[rpc].fromPartial({ ...request, header: { protocolVersion: 'v1', requestId: randomUUID() } } as never);
      return new Promise<ResponseOf<K>>((resolve, reject) => {
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize as (value: RequestOf<K>) => Buffer,
          method.responseDeserialize as (bytes: Buffer) => ResponseOf<K>,
          message,
          { deadline: Date.now() + timeoutMs },
          (error: ServiceError | null, response?: ResponseOf<K>) => {
            if (error) return reject(new LifecycleCallError(`${statusName(error.code)}: ${error.details}`, error.code, 'transport'));
            const header = (response as { header?: DstsResponseHeader }).header;
            if (header && header.status !== 0) {
              return reject(new LifecycleCallError(`${statusName(header.status)}: ${header.statusMessage}`, header.status, 'header', header.requestId));
            }
            resolve(response as ResponseOf<K>);
          },
        );
      });
    },
    close: () => client.close(),
  };
}
