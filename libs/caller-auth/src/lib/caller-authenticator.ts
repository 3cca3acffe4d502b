import { subjectDistinguishedName } from '@dsts/certificates';
import { DstsError, isDstsError, type RefusalReason } from '@dsts/errors';
import type { Permission } from '@dsts/config';
import { ANONYMOUS, type CallerIdentity } from './caller-identity';
import { type PermissionGrants, permissionsOf } from './permissions-file';

/** What a call presented: the TLS-verified client certificate and the `authorization` metadata value. */
export interface CallerCredentials {
  /** DER of the client certificate, only when TLS verified it against the admin CA. */
  verifiedCertificate: Buffer | undefined;
  /** Node's HTTP/2 keeps one `authorization` value per request (a repeated one is dropped: first wins). */
  authorization: string | undefined;
}

export interface CallerAuthenticatorDeps {
  grants: PermissionGrants;
  /** libs/tokens' AppTokenVerifier: the app id of a valid app token, else an ACCESS_TOKEN_INVALID DstsError. */
  appTokens: { verify(token: string): Promise<string> };
}

export interface CallerAuthenticator {
  /**
   * The caller's identity when it holds `permission`. A bearer token, when
   * present, decides (it must be valid: there is no falling back to the
   * certificate); otherwise the verified client certificate. Rejects with
   * CALLER_UNAUTHENTICATED (no or invalid credentials) or PERMISSION_DENIED;
   * their messages are the same for every reason, which is in `reason` (a
   * code, for the audit trail) and `cause` (for the log).
   */
  admit(credentials: CallerCredentials, permission: Permission): Promise<CallerIdentity>;
}

/** Far above any access token issued here; bounds the work spent on hostile input. */
const MAX_AUTHORIZATION_LENGTH = 8 * 1024;
const BEARER = /^Bearer ([^\s]+)$/i;

/** A known caller without the operation's permission; `identity` says who, for the audit trail (never for the caller). */
export class PermissionDeniedError extends DstsError {
  constructor(readonly identity: CallerIdentity, permission: Permission) {
    super('PERMISSION_DENIED', 'permission denied', {
      reason: 'PERMISSION_NOT_GRANTED',
      cause: new Error(`${identity.kind} ${identity.id} lacks ${permission}`),
    });
  }
}

/**
 * A caller refused authentication: `reason` (a code) for the audit trail,
 * `cause` for the log; the message is the same for all. `identity` is
 * whom the credential proved to be (a valid token of a disabled app), else anonymous.
 */
export class CallerUnauthenticatedError extends DstsError {
  constructor(reason: RefusalReason | undefined, cause: unknown, readonly identity: CallerIdentity = ANONYMOUS) {
    super('CALLER_UNAUTHENTICATED', 'authentication required', { reason, cause });
  }
}

const unauthenticated = (reason: RefusalReason, problem: string) => new CallerUnauthenticatedError(reason, new Error(problem));

/** Who a refused caller is, as far as its credentials proved it (for the audit trail). */
export function refusedCaller(failure: unknown): CallerIdentity {
  return failure instanceof PermissionDeniedError || failure instanceof CallerUnauthenticatedError ? failure.identity : ANONYMOUS;
}

export function createCallerAuthenticator({ grants, appTokens }: CallerAuthenticatorDeps): CallerAuthenticator {
  async function identify({ verifiedCertificate, authorization }: CallerCredentials): Promise<CallerIdentity> {
    if (authorization !== undefined) {
      const token = authorization.length <= MAX_AUTHORIZATION_LENGTH ? BEARER.exec(authorization)?.[1] : undefined;
      if (!token) throw unauthenticated('AUTHORIZATION_NOT_BEARER', 'authorization is not a bearer token');
      try {
        return { kind: 'app', id: await appTokens.verify(token) };
      } catch (error) {
        // A dependency failure (database down) is not the caller's fault: it keeps its own status.
        if (isDstsError(error) && error.code === 'ACCESS_TOKEN_INVALID') {
          throw new CallerUnauthenticatedError(error.reason, error, error.verifiedSubject ? { kind: 'app', id: error.verifiedSubject } : ANONYMOUS);
        }
        throw error;
      }
    }
    if (verifiedCertificate) return { kind: 'certificate', id: subjectDistinguishedName(verifiedCertificate) };
    throw unauthenticated('NO_CREDENTIALS', 'no credentials');
  }

  return {
    async admit(credentials, permission) {
      const identity = await identify(credentials);
      if (!permissionsOf(grants, identity).has(permission)) {
        throw new PermissionDeniedError(identity, permission);
      }
      return identity;
    },
  };
}
