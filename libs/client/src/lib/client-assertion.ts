import { type KeyObject, randomUUID } from 'node:crypto';
import { signJws } from './jws';

export interface ClientAssertionOptions {
  /** `iss` and `sub` (device id or app id). */
  subject: string;
  nonce: string;
  privateKey: KeyObject;
  /** DER of the device certificate, sent as x5c[0] (standard base64); apps send none. */
  certificateDer?: Buffer;
  now?: Date;
  /** Header/claim overrides (undefined removes a claim). */
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

/**
 * A client assertion shaped exactly like the original device client's
 * (SPEC §3 step 2): RS512, x5c, iss = sub, nonce, exp = now + 10 min, nbf,
 * iat, jti, no aud.
 */
export function signClientAssertion(options: ClientAssertionOptions): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header: Record<string, unknown> = {
    alg: 'RS512',
    typ: 'JWT',
    ...(options.certificateDer ? { x5c: [options.certificateDer.toString('base64')] } : {}),
    ...options.header,
  };
  const claims: Record<string, unknown> = {
    iss: options.subject,
    sub: options.subject,
    nonce: options.nonce,
    exp: iat + 600,
    nbf: iat,
    iat,
    jti: randomUUID(),
    ...options.claims,
  };
  return signJws(header, JSON.parse(JSON.stringify(claims)), options.privateKey);
}
