import type { DevicePageQuery } from '@dsts/db';
import { DstsError } from '@dsts/errors';
import type { ListDevicesRequest } from '@dsts/proto';
import { requiredId } from '@dsts/validation';

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;
/** Offset paging walks the skipped index entries: pages deeper than this many devices are refused. */
export const MAX_OFFSET = 1_000_000;

const FILTER = /^\s*enabled\s*=\s*(["']?)(true|false)\1\s*$/i;
const invalid = (message: string) => new DstsError('INVALID_REQUEST', message);

function enabledFilter(filter: string): boolean | undefined {
  if (filter.trim() === '') return undefined;
  const match = FILTER.exec(filter);
  if (!match) throw invalid('filter must be empty, enabled=true or enabled=false');
  return match[2].toLowerCase() === 'true';
}

/**
 * ListDevices paging rules (SPEC §6): page_size ≤ 0 → 10, capped at 100;
 * page_number 0 → 1; a negative page_number, or one starting beyond
 * MAX_OFFSET devices, is InvalidArgument.
 */
export function deviceListingQuery(request: ListDevicesRequest): DevicePageQuery {
  const tenantId = requiredId(request.tid, 'tid');
  const enabled = enabledFilter(request.filter);
  if (request.pageNumber < 0) throw invalid('page_number must not be negative');
  const pageSize = request.pageSize <= 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
  const pageNumber = Math.max(request.pageNumber, 1);
  if ((pageNumber - 1) * pageSize > MAX_OFFSET) throw invalid(`page_number may start at most ${MAX_OFFSET} devices deep`);
  return { tenantId, enabled, pageSize, pageNumber };
}
