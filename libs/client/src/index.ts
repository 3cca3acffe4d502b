export { decodeJws, jwsSegment, signJws, verifyWithJwks } from './lib/jws';
export type { DecodedJws, Jwks } from './lib/jws';
export { signClientAssertion } from './lib/client-assertion';
export type { ClientAssertionOptions } from './lib/client-assertion';
export { REQUEST_TYPES } from './lib/lifecycle-rpc';
export type { DeepPartial, RequestOf, ResponseOf, RpcName } from './lib/lifecycle-rpc';
export { createLifecycleClient, LifecycleCallError } from './lib/lifecycle-client';
export type { LifecycleClient, LifecycleClientOptions, LifecycleRequest } from './lib/lifecycle-client';
export { channelCredentials, ConflictingCredentialOptions, CREDENTIAL_ENVIRONMENT, localAdminFiles, resolveLifecycleCredentials } from './lib/lifecycle-credentials';
export type { CredentialOptions, LifecycleCredentials } from './lib/lifecycle-credentials';
export { fetchAppToken, JWT_BEARER_ASSERTION_TYPE } from './lib/app-token';
export {
  EMBEDDED_POSTGRES_DATABASE,
  EMBEDDED_POSTGRES_HOST,
  EMBEDDED_POSTGRES_USER,
  embeddedPostgresPasswordFile,
  embeddedPostgresPort,
  embeddedPostgresUrl,
  localDatabaseUrl,
  localDataDir,
} from './lib/local-stack';
