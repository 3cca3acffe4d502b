import { createHmac, type KeyObject } from 'node:crypto';
import { jwsSegment, signJws as signAsymmetricJws } from '@dsts/client';

/**
 * Like @dsts/client's `signJws`, plus the algorithms a server must refuse:
 * `none` (empty signature) and HS* (HMAC keyed with `key`'s bytes).
 */
export function signJws(header: Record<string, unknown>, claims: Record<string, unknown> | string, key: KeyObject | Buffer): string {
  const alg = String(header['alg']);
  const input = `${jwsSegment(header)}.${jwsSegment(claims)}`;
  if (alg === 'none') return `${input}.`;
  if (alg.startsWith('HS')) return `${input}.${createHmac(`sha${alg.slice(2)}`, key as Buffer).update(input).digest('base64url')}`;
  return signAsymmetricJws(header, claims, key as KeyObject);
}
