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

/**
 * OpenSSL's words when the first bytes back are not a TLS record — what a
 * plaintext HTTP/2 server answers a ClientHello with.
 */
const NOT_TLS = /wrong version number|WRONG_VERSION_NUMBER|packet length too long/;

/** The message of a failed call, in words an operator can act on where OpenSSL's would not be. */
function transportMessage(error: ServiceError, address: string, credentials: LifecycleCredentials): string {
  if (error.code === GrpcStatus.UNAVAILABLE && credentials !== 'insecure' && NOT_TLS.test(error.details)) {
    return `UNAVAILABLE: ${address} does not answer TLS; it may be plaintext, a lifecycle-api in compatibility mode (LIFECYCLE_AUTH=insecure-compat): if so, use --insecure`;
  }
  return `${statusName(error.code)}: ${error.details}`;
}

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
            if (error) return reject(new LifecycleCallError(transportMessage(error, address, credentials), error.code, 'transport'));
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
