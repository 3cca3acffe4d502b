import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const workspaceRoot = path.resolve(__dirname, '../../..');
const baseImages = readdirSync(path.join(workspaceRoot, 'base-images')).sort();
// auth-gateway: REST_PORT (REST and /metrics). lifecycle-api: GRPC_PORT, the plaintext health port
// compose and deploy/k8s set as GRPC_HEALTH_PORT, METRICS_PORT (libs/config defaults otherwise).
const appPorts: Record<string, string> = { 'auth-gateway': '7001', 'lifecycle-api': '7000 7002 9464' };
const dockerfiles = [
  ...baseImages.map((name) => `base-images/${name}/Dockerfile`),
  ...Object.keys(appPorts).map((app) => `apps/${app}/Dockerfile`),
];

function parse(file: string) {
  return DockerfileParser.parse(readFileSync(path.join(workspaceRoot, file), 'utf8'));
}

/** The instructions of the last build stage: what the image runs with. */
function finalStage(file: string) {
  const instructions = parse(file).getInstructions();
  const lastFrom = instructions.map((i) => i.getKeyword()).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

describe('Dockerfiles', () => {
  it('has the four base images the Makefile builds', () => {
    expect(baseImages).toEqual(['node-builder', 'node-runtime', 'postgres', 'redis']);
    const makefile = readFileSync(path.join(workspaceRoot, 'Makefile'), 'utf8');
    expect(makefile).toMatch(/^BASE_IMAGES := node-builder node-runtime postgres redis$/m);
  });

  it('lints every Dockerfile without a diagnostic', () => {
    for (const file of dockerfiles) {
      const text = readFileSync(path.join(workspaceRoot, file), 'utf8');
      expect({ file, diagnostics: validate(text) }).toEqual({ file, diagnostics: [] });
    }
  });

  it('makes the linter report a broken Dockerfile', () => {
    expect(validate('FROM node:20\nCOPY\nEXPOSE port\n').length).toBeGreaterThan(0);
  });

  it('starts every Dockerfile from an image', () => {
    for (const file of dockerfiles) expect({ file, hasFrom: parse(file).getFROMs().length > 0 }).toEqual({ file, hasFrom: true });
  });

  it.each(Object.entries(appPorts))('builds %s on the dsts base images, non-root, exposing %s, running main.js', (app, port) => {
    const file = `apps/${app}/Dockerfile`;
    const froms = parse(file).getFROMs().map((from) => from.getImageName());
    expect(froms).toEqual(['${BASE_REGISTRY}/node-builder', '${BASE_REGISTRY}/node-runtime']);
    for (const image of froms) expect(baseImages).toContain(image?.split('/')[1]);
    const stage = finalStage(file);
    const argsOf = (keyword: string) =>
      stage.filter((i) => i.getKeyword() === keyword).map((i) => i.getArguments().map((a) => a.getValue()).join(' '));
    expect(argsOf('USER')).toEqual(['node']);
    expect(argsOf('EXPOSE')).toEqual([port]);
    const cmds = parse(file).getCMDs();
    expect(cmds.map((cmd) => cmd.getJSONStrings().map((s) => s.getJSONValue()))).toEqual([['node', 'main.js']]);
  });

  it('calls the PostgreSQL base image healthy only once it answers over TCP (the unix socket answers earlier, during init)', () => {
    const healthchecks = finalStage('base-images/postgres/Dockerfile').filter((i) => i.getKeyword() === 'HEALTHCHECK');
    expect(healthchecks.map((i) => i.getArgumentsContent())).toEqual([expect.stringMatching(/^CMD pg_isready -h 127\.0\.0\.1 /)]);
  });

  it('keeps tini of the runtime base image as ENTRYPOINT of the app images (Kubernetes and compose replace only the CMD)', () => {
    const entrypoints = (file: string) => parse(file).getENTRYPOINTs().map((e) => e.getJSONStrings().map((s) => s.getJSONValue()));
    expect(entrypoints('base-images/node-runtime/Dockerfile')).toEqual([['/usr/bin/tini', '--']]);
    for (const app of Object.keys(appPorts)) expect({ app, entrypoints: entrypoints(`apps/${app}/Dockerfile`) }).toEqual({ app, entrypoints: [] });
  });

  it('runs the runtime base image as the non-root node user', () => {
    const stage = finalStage('base-images/node-runtime/Dockerfile');
    expect(stage.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent())).toEqual(['node']);
  });
});
