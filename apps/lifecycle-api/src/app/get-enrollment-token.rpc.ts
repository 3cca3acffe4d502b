import { DstsError } from '@dsts/errors';
import type { GetEnrollmentTokenRequest, GetEnrollmentTokenResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { toWireEnrollmentToken } from './enrollment-token.policy';
import { requiredId } from '@dsts/validation';

/** The tenant's enrollment token, expired or not (its expiry tells). */
export function getEnrollmentToken({ enrollmentTokens }: Pick<RpcDeps, 'enrollmentTokens'>) {
  return async (request: GetEnrollmentTokenRequest): Promise<Omit<GetEnrollmentTokenResponse, 'header'>> => {
    const token = await enrollmentTokens.findByTenant(requiredId(request.tid, 'tid'));
    if (!token) throw new DstsError('ENROLLMENT_TOKEN_NOT_FOUND', 'enrollment token not found');
    return { token: toWireEnrollmentToken(token) };
  };
}
