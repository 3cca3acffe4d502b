import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../..');

interface ProjectGraph {
  graph: {
    nodes: Record<string, { type: string; data: { tags?: string[] } }>;
    dependencies: Record<string, { target: string }[]>;
  };
}

/** The full project graph, npm packages included (`nx graph --file` leaves them out). */
function projectGraph(): ProjectGraph {
  const script = "require('@nx/devkit').createProjectGraphAsync({ exitOnError: true }).then((g) => process.stdout.write(JSON.stringify(g)))";
  const stdout = execFileSync('node', ['-e', script], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { graph: JSON.parse(stdout) };
}

describe('Nx module boundaries', () => {
  const { graph } = projectGraph();
  const apps = Object.keys(graph.nodes).filter((name) => graph.nodes[name].type === 'app');

  it('finds both services and the three tools (dstsctl, device-sim, stack) as apps', () => {
    expect(apps.sort()).toEqual(['auth-gateway', 'device-sim', 'dstsctl', 'lifecycle-api', 'stack']);
  });

  it('lets apps depend only on libs, never on each other', () => {
    for (const app of apps) {
      const projectDeps = graph.dependencies[app].map((d) => d.target).filter((t) => !t.startsWith('npm:'));
      expect(projectDeps.length).toBeGreaterThan(0);
      for (const target of projectDeps) expect(graph.nodes[target].type).toBe('lib');
    }
  });

  // pg is left to the lint rules: tests may drive Postgres directly (e.g. to take a database away).
  it('keeps each infrastructure client inside its own lib (whatever projects are added later)', () => {
    const owners: Record<string, string[]> = {
      'npm:ioredis': ['cache'],
      'npm:@prisma/client': ['db'],
      'npm:@prisma/adapter-pg': ['db'],
    };
    for (const [npmPackage, allowed] of Object.entries(owners)) {
      const users = Object.keys(graph.nodes).filter((project) =>
        graph.dependencies[project].some((d) => d.target === npmPackage),
      );
      expect({ npmPackage, users: users.filter((u) => !allowed.includes(u)) }).toEqual({ npmPackage, users: [] });
    }
  });

  it('tags every project on the scope and type axes', () => {
    for (const [name, node] of Object.entries(graph.nodes)) {
      const tags = node.data.tags ?? [];
      expect({ name, scope: tags.some((t) => t.startsWith('scope:')) }).toEqual({ name, scope: true });
      expect({ name, type: tags.some((t) => t.startsWith('type:')) }).toEqual({ name, type: true });
    }
  });

  /** Lints `code` as if it were `file`, with the workspace's real ESLint config. */
  function lintAs(file: string, code: string): string[] {
    // ESLint loads eslint.config.mjs through a dynamic import, which jest's VM refuses: lint in a child.
    const { stdout } = spawnSync('npx', ['eslint', '--format', 'json', '--stdin', '--stdin-filename', file], {
      cwd: workspaceRoot,
      input: code,
      encoding: 'utf8',
    });
    const [result] = JSON.parse(stdout) as { messages: { ruleId: string; message: string }[] }[];
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  it('rejects an app importing the other app', () => {
    const messages = lintAs(
      'apps/auth-gateway/src/boundary-probe.ts',
      "import { createGrpcServer } from '../../lifecycle-api/src/app/create-grpc-server';\nexport const x = createGrpcServer;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('rejects ioredis or Prisma outside their libs', () => {
    const messages = lintAs(
      'libs/tokens/src/lib/boundary-probe.ts',
      "import Redis from 'ioredis';\nimport { PrismaPg } from '@prisma/adapter-pg';\nexport const x = [Redis, PrismaPg];\n",
    );
    expect(messages.filter((m) => m.startsWith('@nx/enforce-module-boundaries'))).toHaveLength(2);
  });

  it('rejects reaching into a lib by a relative path past its index', () => {
    const messages = lintAs(
      'apps/lifecycle-api/src/boundary-probe.ts',
      "import { migrate } from '../../../libs/db/src/lib/migrate';\nexport const x = migrate;\n",
    );
    expect(messages.some((m) => m.startsWith('@nx/enforce-module-boundaries'))).toBe(true);
  });

  it('accepts an app importing a lib through its public index', () => {
    const messages = lintAs(
      'apps/lifecycle-api/src/boundary-probe.ts',
      "import { loadConfig } from '@dsts/config';\nexport const x = loadConfig;\n",
    );
    expect(messages).toEqual([]);
  });
});
