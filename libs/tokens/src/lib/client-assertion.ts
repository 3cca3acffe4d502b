import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { DstsError } from '@dsts/errors';

/** RFC 7523 client assertion type, the only one accepted. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Tolerated disagreement between the client's clock and ours. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Standard base64 (RFC 7515 §4.1.6), not base64url. */
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface AssertionRequest {
  assertionType: string | undefined;
  assertion: string | undefined;
}

const invalid = (reason: string) => new DstsError('ASSERTION_INVALID', `invalid client assertion: ${reason}`);

/** 400 for a wrong `client_assertion_type` or an empty assertion (SPEC §3). */
export function requireAssertion({ assertionType, assertion }: AssertionRequest): string {
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw new DstsError('INVALID_REQUEST', `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}`);
  }
  if (!assertion) throw new DstsError('INVALID_REQUEST', 'client_assertion is required');
  return assertion;
}

/**
 * The protected header, refused unless its `alg` is on the allow-list — so
 * `none` and HMAC algs never reach a verifier.
 */
export function assertionHeader(assertion: string, algorithms: readonly string[]): { alg: string; x5c?: unknown } {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw invalid('not a signed JWT');
  }
  if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) throw invalid('algorithm not allowed');
  return { alg: header.alg, x5c: header.x5c };
}

/** DER of the first `x5c` entry, which must be standard base64. */
export function firstX5cCertificate(x5c: unknown): Buffer {
  const first = Array.isArray(x5c) ? x5c[0] : undefined;
  if (typeof first !== 'string' || first.length === 0) throw invalid('x5c header with the device certificate is required');
  if (!STANDARD_BASE64.test(first)) throw invalid('x5c entries must be standard base64');
  return Buffer.from(first, 'base64');
}

export interface AssertionCheck {
  key: KeyObject;
  algorithms: readonly string[];
  /** Required `iss` and `sub`: the device id or app id (RFC 7523 §3). */
  subject: string;
  now: Date;
}

/**
 * Verifies signature and time claims (jose) and returns the claims.
 * `exp` is required; `nbf`/`iat` are honoured when present.
 */
export async function verifyAssertion(assertion: string, check: AssertionCheck): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(assertion, check.key, {
      algorithms: [...check.algorithms],
      issuer: check.subject,
      subject: check.subject,
      requiredClaims: ['exp'],
      currentDate: check.now,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    return payload;
  } catch (error) {
    throw assertionFailure(error);
  }
}

function assertionFailure(error: unknown): DstsError {
  if (error instanceof errors.JWTExpired) return new DstsError('ASSERTION_EXPIRED', 'presented client assertion is expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new DstsError('ASSERTION_NOT_YET_VALID', 'presented client assertion is not yet valid');
    if (error.claim === 'iss' || error.claim === 'sub') return invalid('iss and sub must name the authenticating client');
    return invalid(`${error.claim} claim is invalid`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('signature verification failed');
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('algorithm not allowed');
  return invalid('malformed JWT');
}
