import type { ServerUnaryCall } from '@grpc/grpc-js';

/** Who called a lifecycle-api RPC: a client certificate's subject, an app id, or nobody known. */
export interface CallerIdentity {
  kind: 'certificate' | 'app' | 'anonymous';
  id: string;
}

/** The identity the caller-authentication interceptor established for `call`. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the interceptor's version reads the call
export function callerIdentityOf(_call: ServerUnaryCall<unknown, unknown>): CallerIdentity {
  // Replaced by the caller-authentication interceptor.
  return { kind: 'anonymous', id: 'anonymous' };
}
