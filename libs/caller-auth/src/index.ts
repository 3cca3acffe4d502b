export { ANONYMOUS } from './lib/caller-identity';
export type { CallerIdentity } from './lib/caller-identity';
export { readPermissionsFile } from './lib/permissions-file';
export type { PermissionGrants } from './lib/permissions-file';
export type { ServerTls } from './lib/server-tls';
export { INSECURE_COMPAT_WARNING, loadCallerAccess } from './lib/caller-access';
export type { CallerAccess } from './lib/caller-access';
export { createCallerAuthenticator, PermissionDeniedError, refusedCaller } from './lib/caller-authenticator';
export type { CallerAuthenticator, CallerAuthenticatorDeps, CallerCredentials } from './lib/caller-authenticator';
