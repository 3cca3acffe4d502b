import type { ChallengeStore, ChallengeSubject } from '@dsts/cache';
import { DstsError } from '@dsts/errors';

/**
 * Redeems the challenge named by the assertion's `nonce`; 401 when no such
 * challenge is outstanding for this id (wrong, expired, used, never issued).
 */
export async function redeemChallenge(challenges: ChallengeStore, subject: ChallengeSubject, id: string, nonce: unknown): Promise<void> {
  const outcome = await challenges.redeem(subject, id, typeof nonce === 'string' ? nonce : '');
  if (outcome === 'missing') {
    throw new DstsError('CHALLENGE_MISSING', 'nonce matches no outstanding challenge: request a new one');
  }
}
