import { execFileSync } from 'node:child_process';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../..');

/**
 * Files outside every project root that no check reads, so that a branch
 * changing only them rightly runs nothing under `nx affected`.
 */
const UNCHECKED_FILES: Record<string, string> = {
  'README.md': 'prose',
  '.gitignore': 'git only',
  '.ci/run': 'CI runs it; it is ensure-services.sh + npm ci + npm test, nothing to test but CI itself',
};
/** Folders outside every project root that no check reads. */
const UNCHECKED_FOLDERS: Record<string, string> = {
  'tools/bench/': 'benchmarks run by hand (README "Benchmark")',
  'tools/keys/': 'the script of `nx run keys:rotate`, run by hand (README "Signing keys")',
};

/**
 * Nx's view of the workspace: every project's root, and for each list of
 * changed files (relative to the workspace root) the projects `npm test`
 * checks on a branch that changed them, as `nx affected` computes them (Nx's
 * own filterAffected). Run in a child process, as jest's module sandbox
 * cannot load Nx's native graph code.
 */
function nxSelection(fileLists: string[][]): { roots: string[]; affected: string[][] } {
  const script = `
    const { filterAffected } = require('nx/src/project-graph/affected/affected-project-graph');
    const { createProjectGraphAsync } = require('@nx/devkit');
    const lists = JSON.parse(process.argv[1]);
    createProjectGraphAsync({ exitOnError: true }).then(async (graph) => {
      const affected = [];
      for (const files of lists) {
        const touched = files.map((file) => ({ file, hash: '', getChanges: () => [{ type: 'WholeFileChange' }] }));
        affected.push(Object.keys((await filterAffected(graph, touched)).nodes).sort());
      }
      const roots = Object.values(graph.nodes).map((node) => node.data.root);
      process.stdout.write(JSON.stringify({ roots, affected }));
    });`;
  const stdout = execFileSync('node', ['-e', script, JSON.stringify(fileLists)], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    maxBuffer: 16 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as { roots: string[]; affected: string[][] };
}

describe('nx affected (the project selection of `npm test` on a branch)', () => {
  it('checks compose, the Makefile, base images, Dockerfiles, scripts and libs with the projects that read them', () => {
    const cases: [string, string[]][] = [
      ['docker-compose.yml', ['deploy', 'lifecycle-api']],
      ['Makefile', ['images']],
      ['base-images/node-runtime/Dockerfile', ['images']],
      ['apps/auth-gateway/Dockerfile', ['auth-gateway', 'images']],
      ['apps/lifecycle-api/project.json', ['deploy', 'images', 'lifecycle-api']],
      // The images test builds the apps and runs them from their build contexts.
      ['libs/config/src/index.ts', ['images']],
      ['libs/db/prisma/schema.prisma', ['images']],
      ['tools/scripts/docker-context.sh', ['images']],
      ['tools/scripts/prune-context-dependencies.cjs', ['images']],
      ['tools/scripts/serve.sh', ['stack']],
      ['tools/scripts/test.sh', ['workspace']],
    ];
    const { affected } = nxSelection(cases.map(([file]) => [file]));
    cases.forEach(([file, projects], index) => {
      expect({ file, missing: projects.filter((project) => !affected[index].includes(project)) }).toEqual({ file, missing: [] });
    });
  });

  it('leaves no file outside a project root unchecked, except the few listed with the reason', () => {
    const { roots } = nxSelection([]);
    const tracked = execFileSync('git', ['ls-files'], { cwd: workspaceRoot, encoding: 'utf8' }).trim().split('\n');
    const files = tracked.filter((file) => !roots.some((root) => file.startsWith(`${root}/`)));
    expect(files).toEqual(expect.arrayContaining(['docker-compose.yml', 'Makefile', 'tools/scripts/test.sh']));
    const { affected } = nxSelection(files.map((file) => [file]));
    const unchecked = files.filter((_file, index) => affected[index].length === 0);
    const listed = (file: string) => file in UNCHECKED_FILES || Object.keys(UNCHECKED_FOLDERS).some((folder) => file.startsWith(folder));
    expect(unchecked.filter((file) => !listed(file))).toEqual([]);
    // And the list holds no file that is checked after all (or is gone).
    expect(Object.keys(UNCHECKED_FILES).filter((file) => !unchecked.includes(file))).toEqual([]);
  }, 30000);
});
