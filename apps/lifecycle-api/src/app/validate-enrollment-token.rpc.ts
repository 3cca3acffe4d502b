import { DstsError } from '@dsts/errors';
import type { ValidateEnrollmentTokenRequest, ValidateEnrollmentTokenResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { isEnrollmentTokenShaped } from './enrollment-token.policy';

/**
 * Tells the enrollment service which tenant a token belongs to. Empty is
 * InvalidArgument; unknown, too long or expired is Unauthenticated.
 */
export function validateEnrollmentToken({ enrollmentTokens, clock }: Pick<RpcDeps, 'enrollmentTokens' | 'clock'>) {
  return async (request: ValidateEnrollmentTokenRequest): Promise<Omit<ValidateEnrollmentTokenResponse, 'header'>> => {
    if (request.token === '') throw new DstsError('INVALID_REQUEST', 'token is required');
    const invalid = () => new DstsError('ENROLLMENT_TOKEN_INVALID', 'enrollment token is not valid');
    // Strings that cannot be tokens are refused without a database round trip.
    if (!isEnrollmentTokenShaped(request.token)) throw invalid();
    const token = await enrollmentTokens.findByToken(request.token);
    if (!token) throw invalid();
    if (token.expiresAt <= clock()) throw new DstsError('ENROLLMENT_TOKEN_INVALID', 'enrollment token has expired');
    return { tid: token.tenantId, isValid: true };
  };
}
