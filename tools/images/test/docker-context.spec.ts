import { execFileSync, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../..');
/** Every migration of libs/db goes into both images (each app can migrate at start). */
const migrationFiles = readdirSync(path.join(workspaceRoot, 'libs/db/prisma/migrations'), { withFileTypes: true }).map((entry) =>
  entry.isDirectory() ? `./migrations/${entry.name}/migration.sql` : `./migrations/${entry.name}`,
);
const commonFiles = ['./.dockerignore', './Dockerfile', './main.js', ...migrationFiles, './package-lock.json', './package.json'].sort();
const expectedFiles: Record<string, string[]> = {
  'auth-gateway': commonFiles,
  'lifecycle-api': [...commonFiles, './descriptor-set.binpb', './migrate.js'].sort(),
};

function assembleContext(app: string): string[] {
  // The Nx test target depends on both builds: no nested build racing the other test tasks over dist/.
  const stdout = execFileSync('bash', ['tools/scripts/docker-context.sh', app], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, DSTS_SKIP_BUILD: '1' },
  });
  return stdout.trim().split('\n');
}

/** The npm specifiers a bundle loads at run time (esbuild leaves them as require calls). */
function requiredPackages(bundle: string): string[] {
  const specifiers = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
  return [...new Set(specifiers)].filter((s) => !s.startsWith('node:') && !builtinModules.includes(s)).sort();
}

/** The package a specifier loads from: `@scope/name` or `name`, without a subpath. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe.each(Object.keys(expectedFiles))('docker context of %s', (app) => {
  const context = path.join(workspaceRoot, 'tmp/docker-context', app);
  let installDir: string;

  beforeAll(() => {
    installDir = mkdtempSync(path.join(tmpdir(), `docker-context-${app}-`));
  });
  afterAll(() => rmSync(installDir, { recursive: true, force: true }));

  it('holds exactly the build output, Dockerfile and .dockerignore, the same on a second run', () => {
    const files = assembleContext(app);
    expect(files).toEqual(expectedFiles[app]);
    const mainJs = readFileSync(path.join(context, 'main.js'));
    expect(assembleContext(app)).toEqual(files);
    expect(readFileSync(path.join(context, 'main.js')).equals(mainJs)).toBe(true);
    expect(readFileSync(path.join(context, 'Dockerfile'), 'utf8')).toBe(readFileSync(path.join(workspaceRoot, 'apps', app, 'Dockerfile'), 'utf8'));
  }, 120000);

  it('lists in package.json and its lockfile exactly the packages its entry points require', () => {
    const entries = expectedFiles[app].filter((file) => /^\.\/[^/]+\.js$/.test(file));
    const required = [...new Set(entries.flatMap((entry) => requiredPackages(readFileSync(path.join(context, entry), 'utf8')).map(packageOf)))].sort();
    const packageJson = JSON.parse(readFileSync(path.join(context, 'package.json'), 'utf8'));
    expect(Object.keys(packageJson.dependencies).sort()).toEqual(required);
    const lockfile = JSON.parse(readFileSync(path.join(context, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lockfile.packages[''].dependencies).sort()).toEqual(required);
  });

  it('installs with `npm ci --omit=dev` in an empty folder and starts up to the missing DATABASE_URL', () => {
    cpSync(context, installDir, { recursive: true });
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: installDir, stdio: 'ignore' });
    const packages = requiredPackages(readFileSync(path.join(installDir, 'main.js'), 'utf8'));
    expect(packages).toContain('pino');
    for (const specifier of packages) expect(require.resolve(specifier, { paths: [installDir] })).toContain(installDir);
    // Entry points: main.js, also with tracing on (the OpenTelemetry SDK loads only then), and lifecycle-api's migrate.js.
    const starts = [
      ['main.js', {}],
      ['main.js', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }],
      ...(app === 'lifecycle-api' ? [['migrate.js', {}] as const] : []),
    ] as const;
    for (const [entry, env] of starts) {
      const started = spawnSync('node', [entry], { cwd: installDir, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 30000 });
      expect({ entry, env, output: started.stderr + started.stdout }).not.toMatchObject({ output: expect.stringMatching(/Cannot find module/) });
      expect({ entry, env, stderr: started.stderr, status: started.status }).toEqual({
        entry,
        env,
        stderr: expect.stringContaining('DATABASE_URL is required'),
        status: 1,
      });
    }
  }, 120000);
});
