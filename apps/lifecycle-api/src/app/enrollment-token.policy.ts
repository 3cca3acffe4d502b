import { randomInt } from 'node:crypto';
import type { EnrollmentTokenRecord } from '@dsts/db';
import { DstsError } from '@dsts/errors';
import type { EnrollmentToken } from '@dsts/proto';

export const ENROLLMENT_TOKEN_LENGTH = 32;
export const DEFAULT_LIFETIME_DAYS = 30;
export const MAX_LIFETIME_DAYS = 5 * 365;
const DAY_MS = 86_400_000;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 characters drawn uniformly from [A-Za-z0-9] by the CSPRNG (about 190 bits). */
export function generateEnrollmentToken(): string {
  return Array.from({ length: ENROLLMENT_TOKEN_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

/** Whether `value` could be a token this service issued: at most 32 characters of its alphabet. */
export function isEnrollmentTokenShaped(value: string): boolean {
  return value.length <= ENROLLMENT_TOKEN_LENGTH && /^[A-Za-z0-9]*$/.test(value);
}

/** SPEC §6: 0 → 30 days, -1 → 5 years, above 5 years capped, below -1 InvalidArgument. */
export function enrollmentTokenLifetimeDays(requested: number): number {
  if (requested < -1) throw new DstsError('INVALID_REQUEST', 'token_lifetime_days must be -1 (longest), 0 (default) or positive');
  if (requested === 0) return DEFAULT_LIFETIME_DAYS;
  if (requested === -1) return MAX_LIFETIME_DAYS;
  return Math.min(requested, MAX_LIFETIME_DAYS);
}

export function enrollmentTokenExpiry(issuedAt: Date, lifetimeDays: number): Date {
  return new Date(issuedAt.getTime() + lifetimeDays * DAY_MS);
}

export function toWireEnrollmentToken(record: EnrollmentTokenRecord): EnrollmentToken {
  return { token: record.token, issuedTime: record.issuedAt, expiryTime: record.expiresAt };
}
