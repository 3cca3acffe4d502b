import type { DeleteEnrollmentTokenRequest, DeleteEnrollmentTokenResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import type { CallContext } from './unary';
import { requiredId } from '@dsts/validation';

export function deleteEnrollmentToken({ enrollmentTokens, clock }: Pick<RpcDeps, 'enrollmentTokens' | 'clock'>) {
  return async (request: DeleteEnrollmentTokenRequest, { audit }: CallContext): Promise<Omit<DeleteEnrollmentTokenResponse, 'header'>> => {
    await enrollmentTokens.delete(requiredId(request.tid, 'tid'), audit);
    return { deleteTime: clock() };
  };
}
