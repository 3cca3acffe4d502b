import { randomUUID } from 'node:crypto';

/** Lifetimes of issued access tokens (SPEC §4). */
export const ACCESS_TOKEN_LIFETIME_SECONDS = { device: 3_600, app: 10_800 } as const;
/** The longest of them: how long a retired signing key must stay published. */
export const MAX_ACCESS_TOKEN_LIFETIME_SECONDS = Math.max(...Object.values(ACCESS_TOKEN_LIFETIME_SECONDS));

/** Management service id meaning "not managed": never written into `ms`. */
const UNMANAGED = 'none';

export type AccessTokenSubject =
  | { typ: 'device'; deviceId: string; tenantId: string; managementService: string }
  | { typ: 'app'; appId: string };

export interface AccessTokenClaims {
  jti: string;
  iss: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  typ: 'device' | 'app';
  tid?: string;
  ms?: string;
}

/** Claims of a device or app access token issued at `now`. */
export function accessTokenClaims(subject: AccessTokenSubject, issuer: string, now: Date): AccessTokenClaims {
  const iat = Math.floor(now.getTime() / 1000);
  const common = { jti: randomUUID(), iss: issuer, iat, nbf: iat, exp: iat + ACCESS_TOKEN_LIFETIME_SECONDS[subject.typ] };
  if (subject.typ === 'app') return { ...common, sub: subject.appId, typ: 'app' };
  return {
    ...common,
    sub: subject.deviceId,
    typ: 'device',
    tid: subject.tenantId,
    ...(subject.managementService && subject.managementService !== UNMANAGED ? { ms: subject.managementService } : {}),
  };
}
