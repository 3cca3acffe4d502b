import { createHash, randomBytes } from 'node:crypto';
import type { Cache } from './cache';
import { cacheFailure } from './cache-errors';

/** SPEC §3: a challenge lives 60 s. */
export const CHALLENGE_TTL_SECONDS = 60;
/** 256 bits from the CSPRNG (SPEC asks ≥ 128). */
const CHALLENGE_BYTES = 32;

export type ChallengeSubject = 'device' | 'app';

export interface IssuedChallenge {
  challenge: string;
  expiresAt: Date;
}

/**
 * Challenges for a device id or app id, each stored in Redis under its own
 * key with its TTL and redeemed at most once. Several may be outstanding for
 * one id: asking for a new challenge never cancels another, so whoever knows
 * a device id cannot lock the device out by requesting challenges for it.
 */
export interface ChallengeStore {
  issue(subject: ChallengeSubject, id: string, now: Date): Promise<IssuedChallenge>;
  /**
   * Takes the challenge equal to `nonce` atomically (GETDEL): `ok` once,
   * `missing` when no such challenge is outstanding for this id (never
   * issued, expired, already used, or issued for another id).
   */
  redeem(subject: ChallengeSubject, id: string, nonce: string): Promise<'ok' | 'missing'>;
}

/** The key holds a digest of the challenge, so listing Redis keys reveals no redeemable value. */
export function challengeKey(subject: ChallengeSubject, id: string, challenge: string): string {
  const digest = createHash('sha256').update(challenge).digest('base64url');
  return `challenge:${subject}:${encodeURIComponent(id)}:${digest}`;
}

export function createChallengeStore(cache: Cache, ttlSeconds = CHALLENGE_TTL_SECONDS): ChallengeStore {
  return {
    async issue(subject, id, now) {
      const challenge = randomBytes(CHALLENGE_BYTES).toString('base64url');
      try {
        await cache.set(challengeKey(subject, id, challenge), subject, ttlSeconds);
      } catch (error) {
        throw cacheFailure(error);
      }
      return { challenge, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) };
    },

    async redeem(subject, id, nonce) {
      if (!nonce) return 'missing';
      try {
        return (await cache.getAndDelete(challengeKey(subject, id, nonce))) === null ? 'missing' : 'ok';
      } catch (error) {
        throw cacheFailure(error);
      }
    },
  };
}
