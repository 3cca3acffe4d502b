/** Who an authentication request claims to be: read from the request, not yet proven. */
export type ClaimedClient = { kind: 'device'; tenantId: string; deviceId: string } | { kind: 'app'; appId: string };

/**
 * Lets the caller of an authenticator act on one attempt as soon as the
 * claimed client is known, before it is looked up or its assertion verified
 * (the auth-gateway's per-client failure limit and audit use it).
 */
export interface AuthenticationAttempt {
  /** Throwing refuses the attempt with that error. */
  claimed(client: ClaimedClient): Promise<void>;
}
