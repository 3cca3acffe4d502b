import type { LifecycleClient } from '@dsts/client';

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

export interface Command {
  group: string;
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  run(client: LifecycleClient, values: OptionValues): Promise<CommandResult>;
}

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
