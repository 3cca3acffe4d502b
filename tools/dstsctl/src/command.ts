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

export function integerOption(values: OptionValues, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer`);
  const value = Number(raw);
  // Every integer of the API is an int32.
  if (value < -(2 ** 31) || value > 2 ** 31 - 1) throw new UsageError(`--${name} must be between ${-(2 ** 31)} and ${2 ** 31 - 1}`);
  return value;
}

/** An ISO 8601 date or date-time option (`2026-12-15`, `2026-12-15T12:00:00Z`). */
export function timeOption(values: OptionValues, name: string, fallback: Date): Date {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const time = typeof raw === 'string' && /^\d{4}-\d\d-\d\d/.test(raw) ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw new UsageError(`--${name} must be an ISO 8601 date or time, e.g. 2026-12-15T12:00:00Z`);
  return time;
}
