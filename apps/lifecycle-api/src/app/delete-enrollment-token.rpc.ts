import type { DeleteEnrollmentTokenRequest, DeleteEnrollmentTokenResponse } from '@dsts/proto';
import type { RpcDeps } from './deps';
import { requiredId } from '@dsts/validation';

export function deleteEnrollmentToken({ enrollmentTokens, clock }: Pick<RpcDeps, 'enrollmentTokens' | 'clock'>) {
  return async (request: DeleteEnrollmentTokenRequest): Promise<Omit<DeleteEnrollmentTokenResponse, 'header'>> => {
    await enrollmentTokens.delete(requiredId(request.tid, 'tid'));
    return { deleteTime: clock() };
  };
}
