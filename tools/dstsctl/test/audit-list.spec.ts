import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createAuditRepository, createPrismaClient, type PrismaClient } from '@dsts/db';
import { freePort } from '@dsts/testing';
import { runCli } from '../src/cli';

/** `dstsctl audit list --tid <tid> …` with `env` (default: the jest run's migrated database). */
async function auditListWith(env: Record<string, string | undefined>, tid: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['audit', 'list', '--tid', tid, ...argv], {
    stdout: (text) => (stdout += `${text}\n`),
    stderr: (text) => (stderr += `${text}\n`),
    env,
  });
  return { code, stdout, stderr };
}
const auditList = (tid: string, ...argv: string[]) => auditListWith({ DATABASE_URL: process.env['DATABASE_URL'] }, tid, ...argv);

describe('dstsctl audit list options', () => {
  let prisma: PrismaClient;
  const tid = `audit-options-${Date.now()}`;
  beforeAll(async () => {
    prisma = createPrismaClient({ databaseUrl: process.env['DATABASE_URL'] as string, poolMax: 1 });
    const audit = createAuditRepository(prisma);
    const start = Date.now() - 60_000;
    for (let i = 0; i < 3; i++) {
      await audit.record({
        id: randomUUID(),
        occurredAt: new Date(start + i * 1000),
        operation: 'CreateDevice',
        actorKind: 'certificate',
        actorId: 'CN=admin',
        tenantId: tid,
        deviceId: `device-${i}`,
        outcome: 'ok',
        reason: null,
        requestId: `request-${i}`,
      });
    }
  });
  afterAll(() => prisma.$disconnect());

  // Regression: 0 and -1 returned one row, 1001 was capped, all silently.
  it.each(['0', '-1', '1001', 'ten'])('refuses --limit=%s with exit code 2, naming the option and its range', async (limit) => {
    expect(await auditList(tid, `--limit=${limit}`)).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^dstsctl: --limit must be (an integer|between 1 and 1000)/),
    });
  });

  // Regression: 2026-02-30 was read as 2 March.
  it.each([
    ['--since', '2026-02-30'],
    ['--until', '2026-13-01'],
    ['--since', '2026-04-31T00:00:00Z'],
    ['--until', '2026-01-01T24:00:00Z'],
    ['--since', '2026-01-01T12:60Z'],
    ['--since', '2026-01-01 garbage'],
  ])('refuses %s %s (a date or time that does not exist) with exit code 2', async (option, value) => {
    expect(await auditList(tid, option, value)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`dstsctl: ${option} must be an ISO 8601 date or time`),
    });
  });

  it('accepts real dates and times, leap days included', async () => {
    expect(await auditList(tid, '--since', '2024-02-29', '--until', '2024-03-01T10:30:00.5+02:00', '--json')).toEqual({ code: 0, stdout: '{\n  "events": []\n}\n', stderr: '' });
  });

  // Regression: a date alone was UTC, a date-time without an offset local time (so it depended on TZ).
  it('reads a date-time without an offset as UTC, as a date alone, whatever TZ the shell has', async () => {
    const env = { ...process.env, TZ: 'America/New_York' };
    const argv = ['run', '-s', 'dstsctl', '--', 'audit', 'list', '--tid', tid, '--since', '2026-03-02T10:00', '--until', '2026-03-02'];
    await expect(promisify(execFile)('npm', argv, { cwd: resolve(__dirname, '../../..'), env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('dstsctl: --since (2026-03-02T10:00:00.000Z) must be before --until (2026-03-02T00:00:00.000Z)'),
    });
  });

  it('says in its help that times without an offset are UTC', async () => {
    const help = (await auditList(tid, '--help')).stdout;
    expect(help).toMatch(/--since TIME\s+from this time on, ISO 8601, UTC unless it has an offset/);
    expect(help).toMatch(/--until TIME\s+before this time, ISO 8601, UTC unless it has an offset/);
  });

  // Regression: its help listed --address, --ca, --client-cert, --client-key, --app-token and --insecure, which it ignored.
  it('shows and accepts only the options it uses: no gRPC ones', async () => {
    const help = (await auditList(tid, '--help')).stdout;
    expect(help.split('\n').filter((line) => line.startsWith('  --')).map((line) => line.trim().split(' ')[0])).toEqual([
      '--tid',
      '--since',
      '--until',
      '--limit',
      '--json',
      '--help',
    ]);
    expect(await auditList(tid, '--address', 'localhost:7000')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining("Unknown option '--address'") });
  });

  // Regression: an empty table with exit code 0.
  it('refuses --since later than --until', async () => {
    expect(await auditList(tid, '--since', '2026-03-02', '--until', '2026-03-01')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('dstsctl: --since (2026-03-02T00:00:00.000Z) must be before --until (2026-03-01T00:00:00.000Z)'),
    });
  });

  it('states the range of --limit in its help', async () => {
    expect((await auditList(tid, '--help')).stdout).toMatch(/--limit N\s+at most N events, 1-1000 \(default 100\)/);
  });

  // Regression: with more events than the limit, the newest were left out without a word.
  it('says on stderr when the limit was reached, and nothing when it was not', async () => {
    const limited = await auditList(tid, '--limit', '2', '--json');
    expect(limited.code).toBe(0);
    expect(JSON.parse(limited.stdout).events.map((event: { deviceId: string }) => event.deviceId)).toEqual(['device-0', 'device-1']);
    expect(limited.stderr).toBe('dstsctl: showing the first 2 events (the limit); later ones may be left out: narrow --since/--until or raise --limit (at most 1000)\n');
    expect(await auditList(tid, '--limit', '3')).toMatchObject({ code: 0, stderr: expect.stringContaining('showing the first 3 events') });
    expect(await auditList(tid, '--limit', '4')).toMatchObject({ code: 0, stderr: '' });
    expect(await auditList(tid)).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('dstsctl audit list: which database, and what went wrong with it', () => {
  const PASSWORD = 'sEcReT+pass/word==';
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dstsctl-data-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  const withUrl = (change: (url: URL) => void) => {
    const url = new URL(process.env['DATABASE_URL'] as string);
    change(url);
    return { DATABASE_URL: url.toString() };
  };

  it('without DATABASE_URL and without npm start having run, says what is missing', async () => {
    expect(await auditListWith({ DSTS_DATA_DIR: dataDir }, 'acme')).toEqual({
      code: 1,
      stdout: '',
      stderr: `dstsctl: no DATABASE_URL, and no embedded PostgreSQL of npm start: ${join(dataDir, 'postgres-password')} is missing (run npm start, or set DATABASE_URL)\n`,
    });
  });

  // Regression: every one of these was the same "audit list failed: database error".
  it('without DATABASE_URL uses the embedded PostgreSQL of npm start, and says when it cannot connect (never the password)', async () => {
    await writeFile(join(dataDir, 'postgres-password'), `${PASSWORD}\n`);
    const port = await freePort();
    const result = await auditListWith({ DSTS_DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(port) }, 'acme');
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `dstsctl: audit list failed: cannot connect to PostgreSQL at 127.0.0.1:${port} (the embedded database of npm start: is npm start running?)\n`,
    });
  });

  // Regression: mysql://x was "cannot connect to PostgreSQL at x:5432".
  it.each(['mysql://admin:sEcReT@x/dsts', 'db.internal:5432', 'sEcReT'])('refuses a DATABASE_URL that is not a PostgreSQL URL (%s), naming it, without repeating it', async (databaseUrl) => {
    expect(await auditListWith({ DATABASE_URL: databaseUrl }, 'acme')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'dstsctl: DATABASE_URL must be a postgres:// or postgresql:// URL: audit list reads PostgreSQL\n',
    });
  });

  it('says when the database does not exist', async () => {
    const result = await auditListWith(withUrl((url) => (url.pathname = '/no_such_database_here')), 'acme');
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^dstsctl: audit list failed: database "no_such_database_here" does not exist at [\w.]+:\d+\n$/) });
  });

  it('says when authentication failed, without the password', async () => {
    const result = await auditListWith(withUrl((url) => ((url.username = 'no_such_role'), (url.password = encodeURIComponent(PASSWORD)))), 'acme');
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^dstsctl: audit list failed: authentication failed for user "no_such_role" at [\w.]+:\d+ \(check DATABASE_URL\)\n$/) });
    expect(result.stderr).not.toContain('sEcReT');
  });
});
