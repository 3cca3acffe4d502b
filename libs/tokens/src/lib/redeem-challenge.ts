import type { ChallengeStore, ChallengeSubject } from '@dsts/cache';
import { DstsError } from '@dsts/errors';

/** Redeems the outstanding challenge with the assertion's `nonce`; 401 when missing or different. */
export async function redeemChallenge(challenges: ChallengeStore, subject: ChallengeSubject, id: string, nonce: unknown): Promise<void> {
  const outcome = await challenges.redeem(subject, id, typeof nonce === 'string' ? nonce : '');
  if (outcome === 'missing') throw new DstsError('CHALLENGE_MISSING', 'no outstanding challenge: request a new one');
  if (outcome === 'mismatch') throw new DstsError('NONCE_MISMATCH', 'nonce does not match the challenge');
}
