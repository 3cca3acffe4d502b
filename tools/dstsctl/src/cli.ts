import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConflictingCredentialOptions,
  CREDENTIAL_ENVIRONMENT,
  createLifecycleClient,
  LifecycleCallError,
  type LifecycleCredentials,
  localDatabaseUrl,
  resolveLifecycleCredentials,
} from '@dsts/client';
import { createPrismaClient, type DatabaseConnectionProblem, databaseConnectionProblem } from '@dsts/db';
import { isDstsError } from '@dsts/errors';
import { type Command, type CommandResult, type DatabaseCommand, type GrpcCommand, type OptionSpec, type OptionValues, UsageError } from './command';
import { appCommands } from './commands/apps.commands';
import { auditCommands } from './commands/audit.commands';
import { deviceCommands } from './commands/devices.commands';
import { enrollmentTokenCommands } from './commands/enrollment-tokens.commands';
import { keyCommands } from './commands/keys.commands';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
// The name in the server certificate `npm start` makes (localhost and 127.0.0.1).
const DEFAULT_ADDRESS = 'localhost:7000';
const WORKSPACE_ROOT = resolve(__dirname, '../../..');

const COMMANDS: Command[] = [...deviceCommands, ...enrollmentTokenCommands, ...keyCommands, ...appCommands, ...auditCommands];

/** How the gRPC commands reach the lifecycle-api; the database commands (audit) read $DATABASE_URL instead and do not take them. */
const GRPC_OPTIONS: Record<string, OptionSpec> = {
  address: { type: 'string', description: `lifecycle-api host:port (default: $DSTS_GRPC_ADDRESS or ${DEFAULT_ADDRESS})`, value: 'HOST:PORT' },
  ca: { type: 'string', description: `CA of the server certificate (default: $${CREDENTIAL_ENVIRONMENT.ca} or .data/tls/ca.pem of npm start)`, value: 'FILE' },
  'client-cert': { type: 'string', description: `client certificate, PEM (default: $${CREDENTIAL_ENVIRONMENT['client-cert']} or .data/tls/admin.pem)`, value: 'FILE' },
  'client-key': { type: 'string', description: `its private key, PEM (default: $${CREDENTIAL_ENVIRONMENT['client-key']} or .data/tls/admin.key)`, value: 'FILE' },
  'app-token': { type: 'string', description: `app access token (dstsctl apps token), sent as Bearer instead of the default certificate (default: $${CREDENTIAL_ENVIRONMENT['app-token']})`, value: 'JWT' },
  insecure: { type: 'boolean', description: `plaintext, no credentials: a server with LIFECYCLE_AUTH=insecure-compat ($${CREDENTIAL_ENVIRONMENT.insecure}=true)` },
};

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print JSON instead of a table' },
  help: { type: 'boolean', description: 'show this help' },
};

// A command option named like a global one would silently lose to it (as --cert and --token once did).
for (const command of COMMANDS) {
  const shadowed = Object.keys(command.options).filter((name) => name in GRPC_OPTIONS || name in COMMON_OPTIONS);
  if (shadowed.length > 0) throw new Error(`dstsctl ${command.group} ${command.name}: --${shadowed.join(', --')} is also a global option`);
}

/** Every option `command` takes: its own, how it reaches its source, and the common ones (help shows exactly these). */
const optionsOf = (command: Command): Record<string, OptionSpec> => ({
  ...command.options,
  ...(command.source === 'database' ? {} : GRPC_OPTIONS),
  ...COMMON_OPTIONS,
});

const optionLines = (options: Record<string, OptionSpec>) =>
  Object.entries(options).map(([name, spec]) => {
    const flag = `--${name}${spec.value ? ` ${spec.value}` : ''}`;
    return `  ${flag.padEnd(28)} ${spec.description}${spec.required ? ' (required)' : ''}`;
  });

function overview(group?: string): string {
  const listed = COMMANDS.filter((command) => !group || command.group === group);
  return [
    `usage: dstsctl ${group ?? '<group>'} <command> [options]   (talks gRPC to the lifecycle-api; audit reads PostgreSQL)`,
    '',
    'commands:',
    ...listed.map((command) => `  ${`${command.group} ${command.name}`.padEnd(28)} ${command.summary}`),
    '',
    'options of every command:',
    ...optionLines(COMMON_OPTIONS),
    '',
    'options of the commands that call the lifecycle-api (all but audit, which reads $DATABASE_URL, default the embedded PostgreSQL of npm start):',
    ...optionLines(GRPC_OPTIONS),
    '',
    "`dstsctl <group> <command> --help` shows a command's options. Exit codes: 0 ok, 1 the call failed, 2 bad command line.",
  ].join('\n');
}

const commandHelp = (command: Command) =>
  [`usage: dstsctl ${command.group} ${command.name} [options]`, '', command.summary, '', 'options:', ...optionLines(optionsOf(command))].join('\n');

function parse(command: Command, args: string[]) {
  const options = optionsOf(command);
  try {
    return parseArgs({ args, options: Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type }])), strict: true }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * What a command connects with is missing, unreadable or wrong: the
 * lifecycle-api's TLS files or token, DATABASE_URL, the embedded database's
 * password file (exit 1: the command line itself is fine).
 */
class ConnectionSettingsUnusable extends Error {}

async function callLifecycleApi(command: GrpcCommand, values: OptionValues, env: CliIo['env']): Promise<CommandResult> {
  let credentials: LifecycleCredentials;
  try {
    credentials = await resolveLifecycleCredentials(
      {
        ca: values['ca'] as string | undefined,
        'client-cert': values['client-cert'] as string | undefined,
        'client-key': values['client-key'] as string | undefined,
        'app-token': values['app-token'] as string | undefined,
        insecure: values['insecure'] as boolean | undefined,
      },
      env,
      WORKSPACE_ROOT,
    );
  } catch (error) {
    throw error instanceof ConflictingCredentialOptions ? new UsageError(error.message) : new ConnectionSettingsUnusable((error as Error).message);
  }
  const client = createLifecycleClient((values['address'] as string | undefined) ?? env['DSTS_GRPC_ADDRESS'] ?? DEFAULT_ADDRESS, credentials);
  try {
    return await command.run(client, values);
  } finally {
    client.close();
  }
}

/** The database could not be used at all: said plainly (exit 1), never with the password. */
class DatabaseUnusable extends Error {}

function databaseProblemMessage(problem: DatabaseConnectionProblem, databaseUrl: string, embedded: boolean): string {
  const url = new URL(databaseUrl);
  const at = `${url.hostname || 'localhost'}:${url.port || 5432}`;
  const database = decodeURIComponent(url.pathname.slice(1));
  switch (problem) {
    case 'unreachable':
      return `cannot connect to PostgreSQL at ${at}${embedded ? ' (the embedded database of npm start: is npm start running?)' : ''}`;
    case 'authentication-failed':
      return `authentication failed for user "${decodeURIComponent(url.username)}" at ${at} (${embedded ? 'the password file of npm start does not match its database' : 'check DATABASE_URL'})`;
    case 'no-database':
      return `database "${database}" does not exist at ${at}`;
    case 'not-migrated':
      return `database "${database}" at ${at} has no audit table: start the services once (they migrate it)`;
  }
}

const isPostgresUrl = (value: string) => URL.canParse(value) && ['postgres:', 'postgresql:'].includes(new URL(value).protocol);

async function readDatabase(command: DatabaseCommand, values: OptionValues, env: CliIo['env']): Promise<CommandResult> {
  const embedded = !env['DATABASE_URL'];
  // Otherwise pg would try any URL as PostgreSQL on port 5432 and report that it cannot connect; never repeated (it may hold a password).
  if (!embedded && !isPostgresUrl(env['DATABASE_URL'] as string)) {
    throw new ConnectionSettingsUnusable(`DATABASE_URL must be a postgres:// or postgresql:// URL: ${command.group} ${command.name} reads PostgreSQL`);
  }
  let databaseUrl: string;
  try {
    databaseUrl = env['DATABASE_URL'] || (await localDatabaseUrl(WORKSPACE_ROOT, env));
  } catch (error) {
    throw new ConnectionSettingsUnusable((error as Error).message);
  }
  const prisma = createPrismaClient({ databaseUrl, poolMax: 1 });
  try {
    return await command.run(prisma, values);
  } catch (error) {
    const problem = databaseConnectionProblem(error);
    throw problem ? new DatabaseUnusable(databaseProblemMessage(problem, databaseUrl, embedded)) : error;
  } finally {
    await prisma.$disconnect();
  }
}

/** Runs one dstsctl command line; resolves with the process exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [group, name, ...args] = argv;
  const groupKnown = COMMANDS.some((command) => command.group === group);
  const command = COMMANDS.find((candidate) => candidate.group === group && candidate.name === name);
  if (!command) {
    const help = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
    if (help && (groupKnown || !group || group.startsWith('-'))) {
      io.stdout(overview(groupKnown ? group : undefined));
      return 0;
    }
    io.stderr(`dstsctl: unknown command "${argv.filter((arg) => !arg.startsWith('-')).slice(0, 2).join(' ')}"\n\n${overview(groupKnown ? group : undefined)}`);
    return EXIT_USAGE;
  }
  try {
    const values = parse(command, args);
    if (values['help']) {
      io.stdout(commandHelp(command));
      return 0;
    }
    const missing = Object.entries(command.options).find(([option, spec]) => spec.required && !values[option]);
    if (missing) throw new UsageError(`--${missing[0]} is required`);
    const result = command.source === 'database' ? await readDatabase(command, values, io.env) : await callLifecycleApi(command, values, io.env);
    io.stdout(values['json'] ? JSON.stringify(result.json, null, 2) : result.text);
    if (result.notice) io.stderr(`dstsctl: ${result.notice}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`dstsctl: ${error.message}\n\n${commandHelp(command)}`);
      return EXIT_USAGE;
    }
    if (error instanceof ConnectionSettingsUnusable) {
      io.stderr(`dstsctl: ${error.message}`);
      return EXIT_FAILURE;
    }
    if (error instanceof LifecycleCallError || error instanceof DatabaseUnusable || isDstsError(error)) {
      io.stderr(`dstsctl: ${command.group} ${command.name} failed: ${error.message}`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
