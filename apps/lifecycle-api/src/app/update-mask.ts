import { DstsError } from '@dsts/errors';

export type UpdatableField = 'enabled' | 'lost' | 'certificate';

const PATHS: Record<string, UpdatableField> = {
  enabled: 'enabled',
  is_enabled: 'enabled',
  lost: 'lost',
  is_lost: 'lost',
  cert: 'certificate',
  certificate: 'certificate',
  device_certificate: 'certificate',
};

/**
 * The fields an UpdateDevice mask names (paths case-insensitive, SPEC §6).
 * Unknown paths are ignored as the original did; a mask without any known
 * path is InvalidArgument.
 */
export function updatedFields(paths: readonly string[]): Set<UpdatableField> {
  const fields = new Set(paths.map((path) => PATHS[path.trim().toLowerCase()]).filter((field) => field !== undefined));
  if (fields.size === 0) {
    throw new DstsError('INVALID_REQUEST', 'update_mask must name enabled, lost or certificate');
  }
  return fields;
}
