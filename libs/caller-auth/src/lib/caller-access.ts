import { type Config, ConfigError } from '@dsts/config';
import { type PermissionGrants, readPermissionsFile } from './permissions-file';
import { readServerTls, type ServerTls } from './server-tls';

/** How the lifecycle-api admits callers, decided once at start. */
export type CallerAccess =
  | {
      mode: 'required';
      tls: ServerTls;
      grants: PermissionGrants;
    }
  /** LIFECYCLE_AUTH=insecure-compat: plaintext, every caller anonymous and allowed, as the original. */
  | { mode: 'insecure-compat' };

/** Logged at start in compatibility mode. */
export const INSECURE_COMPAT_WARNING =
  'LIFECYCLE_AUTH=insecure-compat: the lifecycle-api is plaintext and unauthenticated; anyone who can reach its port can create, change and delete devices and read enrollment tokens';

/**
 * Reads what `config.lifecycleAuth` and `config.grpc.tls` name and refuses
 * to start — a ConfigError naming each variable — unless the lifecycle-api
 * can authenticate callers: TLS certificate and key, and a permissions file
 * (with certificate grants only when a client CA is configured). In
 * compatibility mode those variables must stay unset, so that plaintext is
 * never chosen by accident next to a TLS configuration.
 */
export async function loadCallerAccess(config: Config, now: Date): Promise<CallerAccess> {
  const { certFile, keyFile, clientCaFile } = config.grpc.tls;
  const { permissionsFile } = config.lifecycleAuth;
  const required = { GRPC_TLS_CERT_FILE: certFile, GRPC_TLS_KEY_FILE: keyFile, LIFECYCLE_PERMISSIONS_FILE: permissionsFile };
  if (config.lifecycleAuth.mode === 'insecure-compat') {
    const contradicting = Object.entries({ ...required, GRPC_TLS_CLIENT_CA_FILE: clientCaFile }).filter(([, value]) => value !== undefined);
    if (contradicting.length > 0) {
      throw new ConfigError(contradicting.map(([variable]) => `${variable} must be unset with LIFECYCLE_AUTH=insecure-compat (plaintext, no authentication)`));
    }
    return { mode: 'insecure-compat' };
  }
  if (!certFile || !keyFile || !permissionsFile) {
    throw new ConfigError(
      Object.entries(required)
        .filter(([, value]) => value === undefined)
        .map(([variable]) => `${variable} is required: the lifecycle-api authenticates every caller (or set LIFECYCLE_AUTH=insecure-compat, see README)`),
    );
  }
  const serverTls = await readServerTls({ certFile, keyFile, clientCaFile }, now);
  const grants = await readPermissionsFile(permissionsFile);
  if (!clientCaFile && grants.certificates.size > 0) {
    throw new ConfigError(['LIFECYCLE_PERMISSIONS_FILE grants certificates, but GRPC_TLS_CLIENT_CA_FILE is unset: no client certificate could ever be accepted']);
  }
  return { mode: 'required', tls: serverTls, grants };
}
