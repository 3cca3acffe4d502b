import { DstsError } from '@dsts/errors';
import type { PingRequest, PingResponse } from '@dsts/proto';

const MAX_PING_MESSAGE_LENGTH = 25;

/** Echoes the caller's message (SPEC §6: at most 25 characters). */
export function ping(clock: () => Date) {
  return async (request: PingRequest): Promise<PingResponse> => {
    if ([...request.message].length > MAX_PING_MESSAGE_LENGTH) {
      throw new DstsError('INVALID_REQUEST', `message must be at most ${MAX_PING_MESSAGE_LENGTH} characters`);
    }
    return { message: request.message, responseTime: clock() };
  };
}
