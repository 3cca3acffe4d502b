import type { CreateEnrollmentTokenRequest, CreateEnrollmentTokenResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import type { CallContext } from './unary';
import {
  enrollmentTokenExpiry,
  enrollmentTokenLifetimeDays,
  generateEnrollmentToken,
  toWireEnrollmentToken,
} from './enrollment-token.policy';
import { requiredId } from '@dsts/validation';

/** The tenant's enrollment token; a second one while the first is unexpired is AlreadyExists. */
export function createEnrollmentToken({ enrollmentTokens, clock }: Pick<RpcDeps, 'enrollmentTokens' | 'clock'>) {
  return async (request: CreateEnrollmentTokenRequest, { audit }: CallContext): Promise<Omit<CreateEnrollmentTokenResponse, 'header'>> => {
    const tenantId = requiredId(request.tid, 'tid');
    const lifetimeDays = enrollmentTokenLifetimeDays(request.tokenLifetimeDays);
    const issuedAt = clock();
    const created = await enrollmentTokens.create(
      { tenantId, token: generateEnrollmentToken(), issuedAt, expiresAt: enrollmentTokenExpiry(issuedAt, lifetimeDays) },
      issuedAt,
      audit,
    );
    return { token: toWireEnrollmentToken(created) };
  };
}
