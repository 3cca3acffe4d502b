import type { LifecycleClient } from '@dsts/client';
import type { PrismaClient } from '@dsts/db';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  required?: boolean;
  /** Placeholder shown in help, e.g. `FILE`. */
  value?: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

/** What a command prints: `text` for people, `json` (serialised as is) with --json. */
export interface CommandResult {
  text: string;
  json: unknown;
  /** Said on stderr (with --json too), e.g. that a limit cut the result short. */
  notice?: string;
}

interface CommandShape {
  group: string;
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
}

/** A command that calls the lifecycle-api over gRPC. */
export interface GrpcCommand extends CommandShape {
  source?: 'grpc';
  run(client: LifecycleClient, values: OptionValues): Promise<CommandResult>;
}

/** A command that reads PostgreSQL (`DATABASE_URL`) because the lifecycle-api's wire contract has no RPC for it. */
export interface DatabaseCommand extends CommandShape {
  source: 'database';
  run(prisma: PrismaClient, values: OptionValues): Promise<CommandResult>;
}

export type Command = GrpcCommand | DatabaseCommand;

/** Wrong command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export function stringOption(values: OptionValues, name: string): string {
  return (values[name] as string | undefined) ?? '';
}

/** An integer option within [min, max] (default: the int32 range, as every integer of the API is an int32). */
export function integerOption(values: OptionValues, name: string, fallback: number, min = -(2 ** 31), max = 2 ** 31 - 1): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer`);
  const value = Number(raw);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return value;
}

/** Date, then optional time (hh:mm, :ss, fraction) and zone (group 7). */
const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)?)?$/;

/**
 * Whether the fields name a day and time that exist: `Date` would roll
 * 2026-02-30 over to 2 March and 24:00 to the next day without a word.
 */
function fieldsExist([, year, month, day, hour = '0', minute = '0', second = '0']: RegExpExecArray): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
}

/**
 * An ISO 8601 date or date-time option (`2026-12-15`, `2026-12-15T12:00:00Z`)
 * that names a real day and time. Without an offset it is UTC, the date-time
 * as the date alone: `Date` would read the date-time in the local time zone,
 * so the same command line would select other events on another machine.
 */
export function timeOption(values: OptionValues, name: string, fallback: Date): Date {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const fields = typeof raw === 'string' ? ISO_TIME.exec(raw) : null;
  const utcUnlessOffset = fields && fields[4] !== undefined && fields[7] === undefined ? `${fields[0]}Z` : fields?.[0];
  const time = fields && fieldsExist(fields) ? new Date(utcUnlessOffset as string) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw new UsageError(`--${name} must be an ISO 8601 date or time that exists, e.g. 2026-12-15 or 2026-12-15T12:00:00Z`);
  return time;
}
