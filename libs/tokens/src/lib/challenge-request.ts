import { DstsError } from '@dsts/errors';

/** Longest device or app id the database stores. */
const MAX_ID_LENGTH = 128;

/** The id a challenge is requested for: present and storable, else 400. */
export function requireClientId(id: string | undefined, parameter: 'device_id' | 'app_id'): string {
  if (!id) throw new DstsError('INVALID_REQUEST', `${parameter} is required`);
  if (id.length > MAX_ID_LENGTH) throw new DstsError('INVALID_REQUEST', `${parameter} is longer than ${MAX_ID_LENGTH} characters`);
  return id;
}
