export { decodeJws, jwsSegment, signJws, verifyWithJwks } from './lib/jws';
export type { DecodedJws, Jwks } from './lib/jws';
export { signClientAssertion } from './lib/client-assertion';
export type { ClientAssertionOptions } from './lib/client-assertion';
export { REQUEST_TYPES } from './lib/lifecycle-rpc';
export type { DeepPartial, RequestOf, ResponseOf, RpcName } from './lib/lifecycle-rpc';
export { createLifecycleClient, LifecycleCallError } from './lib/lifecycle-client';
export type { LifecycleClient, LifecycleClientOptions, LifecycleRequest } from './lib/lifecycle-client';
