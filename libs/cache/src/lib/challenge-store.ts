import { randomBytes, timingSafeEqual } from 'node:crypto';
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
 * One outstanding challenge per device id or app id (a new one replaces the
 * old), stored in Redis with its TTL and redeemed at most once.
 */
export interface ChallengeStore {
  issue(subject: ChallengeSubject, id: string, now: Date): Promise<IssuedChallenge>;
  /**
   * Takes the outstanding challenge atomically (GETDEL) and compares it with
   * `nonce`: `missing` when none is outstanding, `mismatch` when it differs —
   * either way it is gone, so no challenge is ever redeemed twice.
   */
  redeem(subject: ChallengeSubject, id: string, nonce: string): Promise<'ok' | 'missing' | 'mismatch'>;
}

export function challengeKey(subject: ChallengeSubject, id: string): string {
  return `challenge:${subject}:${encodeURIComponent(id)}`;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createChallengeStore(cache: Cache, ttlSeconds = CHALLENGE_TTL_SECONDS): ChallengeStore {
  return {
    async issue(subject, id, now) {
      const challenge = randomBytes(CHALLENGE_BYTES).toString('base64url');
      try {
        await cache.set(challengeKey(subject, id), challenge, ttlSeconds);
      } catch (error) {
        throw cacheFailure(error);
      }
      return { challenge, expiresAt: new Date(now.getTime() + ttlSeconds * 1000) };
    },

    async redeem(subject, id, nonce) {
      let stored: string | null;
      try {
        stored = await cache.getAndDelete(challengeKey(subject, id));
      } catch (error) {
        throw cacheFailure(error);
      }
      if (stored === null) return 'missing';
      return sameString(stored, nonce) ? 'ok' : 'mismatch';
    },
  };
}
