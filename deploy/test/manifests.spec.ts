import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { readPermissionsFile } from '@dsts/caller-auth';
import { CONFIG_VARIABLES, loadConfig } from '@dsts/config';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const k8sDir = path.join(__dirname, '..', 'k8s');
const files = readdirSync(k8sDir).filter((f) => f.endsWith('.yaml'));
// YAML 1.1 as kubectl reads it (sigs.k8s.io/yaml): `defaultMode: 0440` is octal there, decimal in 1.2.
const parse = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' }).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Doc;
  });
const docs = files.flatMap((f) => parse(path.join(k8sDir, f)));
// The Secret is created with kubectl (README); its example lists the keys the manifests may reference.
const secret = parse(path.join(__dirname, '..', 'secret.example.yaml'))[0];
const ofKind = (kind: string) => docs.filter((d) => d['kind'] === kind);
const named = (kind: string, name: string) => {
  const found = ofKind(kind).find((d) => d['metadata'].name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const configMap = named('ConfigMap', 'dsts-config');
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const podSpecs = () => [...ofKind('Deployment'), ...ofKind('Job')].map((d) => ({ name: d['metadata'].name as string, spec: d['spec'].template.spec }));
const containerOf = (deployment: string) => named('Deployment', deployment)['spec'].template.spec.containers[0];
const envValue = (spec: Doc, variable: string) => (spec['containers'][0].env as Doc[]).find((entry) => entry['name'] === variable)?.['value'] as string | undefined;

/**
 * Where the file a variable names comes from: a read-only mount of a Secret
 * or ConfigMap volume (`Secret <name>` / `ConfigMap <name>`), the key, and for
 * a ConfigMap the key's content. Throws when it is anything else.
 */
function mountedFile(spec: Doc, variable: string): { from: string; key: string; content: string | undefined } {
  const file = envValue(spec, variable);
  if (file === undefined) throw new Error(`${variable} is not set`);
  const mount = (spec['containers'][0].volumeMounts as Doc[]).find((m) => path.dirname(file) === m['mountPath']);
  if (!mount?.['readOnly']) throw new Error(`${variable}: ${file} is not on a read-only mount`);
  const volume = (spec['volumes'] as Doc[]).find((v) => v['name'] === mount['name']);
  const key = path.basename(file);
  if (volume?.['secret']) return { from: `Secret ${volume['secret'].secretName}`, key, content: undefined };
  if (!volume?.['configMap']) throw new Error(`${variable}: volume ${mount['name']} is neither a Secret nor a ConfigMap`);
  const content = named('ConfigMap', volume['configMap'].name)['data'][key];
  if (content === undefined) throw new Error(`${variable}: ConfigMap ${volume['configMap'].name} has no key ${key}`);
  return { from: `ConfigMap ${volume['configMap'].name}`, key, content };
}

/**
 * Whether the pod's container can read the files of a Secret or ConfigMap
 * volume, the way the kubelet writes them: owner root, mode the item's `mode`
 * or the volume's `defaultMode` (0644 when unset); with the pod's `fsGroup`
 * the group is fsGroup (the kubelet also adds g+r then, which is not relied on
 * here: the mode must say it), without it root. The container's user is in
 * its runAsGroup, fsGroup and supplementalGroups.
 */
function unreadableFiles(spec: Doc, container: Doc): string[] {
  const context = { ...spec['securityContext'], ...container['securityContext'] } as Doc;
  const uid = context['runAsUser'] as number | undefined;
  if (uid === undefined) return [`${container['name']}: no runAsUser, the files' reader is unknown`];
  const fsGroup = spec['securityContext']?.fsGroup as number | undefined;
  const groups = [context['runAsGroup'], fsGroup, ...((context['supplementalGroups'] as number[] | undefined) ?? [])].filter((g) => g !== undefined);
  const fileGroup = fsGroup ?? 0;
  const readable = (mode: number) => (uid === 0 ? (mode & 0o400) !== 0 : groups.includes(fileGroup) ? (mode & 0o040) !== 0 : (mode & 0o004) !== 0);
  const problems: string[] = [];
  for (const mount of (container['volumeMounts'] as Doc[] | undefined) ?? []) {
    const volume = (spec['volumes'] as Doc[]).find((v) => v['name'] === mount['name']);
    const source = (volume?.['secret'] ?? volume?.['configMap']) as Doc | undefined;
    if (!source) continue;
    const defaultMode = (source['defaultMode'] as number | undefined) ?? 0o644;
    const modes = [defaultMode, ...((source['items'] as Doc[] | undefined) ?? []).map((item) => (item['mode'] as number | undefined) ?? defaultMode)];
    for (const mode of modes) {
      if (!readable(mode)) problems.push(`${container['name']}: ${mount['mountPath']} (mode 0${mode.toString(8)}, group ${fileGroup}) is unreadable by uid ${uid}`);
    }
  }
  return problems;
}

const API_VERSIONS: Record<string, string> = {
  ConfigMap: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  Job: 'batch/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
};

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('parse, and every document has a known kind, its apiVersion and a name', () => {
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(API_VERSIONS[doc['kind']]).toBe(doc['apiVersion']);
      expect(doc['metadata']?.name).toMatch(/^[a-z0-9-]+$/);
    }
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dsts-secrets' } });
  });

  it('give each service a Deployment, Service, HPA and PDB of its own', () => {
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(ofKind(kind).map((d) => d['metadata'].name).sort()).toEqual(['auth-gateway', 'lifecycle-api']);
    }
  });

  it('select their own pods: Deployment, Service and PDB selectors match exactly one Deployment template', () => {
    for (const deployment of ofKind('Deployment')) {
      expect(matches(deployment['spec'].selector.matchLabels, deployment['spec'].template.metadata.labels)).toBe(true);
    }
    const selecting = (selector: Record<string, string>) =>
      ofKind('Deployment').filter((d) => matches(selector, d['spec'].template.metadata.labels)).map((d) => d['metadata'].name);
    for (const service of ofKind('Service')) expect(selecting(service['spec'].selector)).toEqual([service['metadata'].name]);
    for (const pdb of ofKind('PodDisruptionBudget')) expect(selecting(pdb['spec'].selector.matchLabels)).toEqual([pdb['metadata'].name]);
  });

  it('route Services to a named container port that exists', () => {
    for (const service of ofKind('Service')) {
      const ports = containerOf(service['metadata'].name).ports as { name: string; containerPort: number }[];
      for (const port of service['spec'].ports) {
        const target = ports.find((p) => p.name === port.targetPort);
        expect(target).toBeDefined();
        expect(port.port).toBe(target?.containerPort);
      }
    }
  });

  it('scale existing Deployments with autoscaling/v2, leaving their replica count to the HPA', () => {
    for (const hpa of ofKind('HorizontalPodAutoscaler')) {
      const { scaleTargetRef, minReplicas, maxReplicas } = hpa['spec'];
      expect(scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
      // A Deployment's own replicas would reset the HPA's count on every apply.
      expect({ deployment: scaleTargetRef.name, replicas: named('Deployment', scaleTargetRef.name)['spec'].replicas }).toEqual({
        deployment: scaleTargetRef.name,
        replicas: undefined,
      });
      expect(minReplicas).toBeGreaterThanOrEqual(2);
      expect(maxReplicas).toBeGreaterThan(minReplicas);
    }
  });

  it('probe the auth-gateway over HTTP on /ready and /health at REST_PORT', () => {
    const container = containerOf('auth-gateway');
    expect(configMap['data'].REST_PORT).toBe('7001');
    expect(container.ports).toEqual([{ name: 'http', containerPort: 7001 }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 7001 });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 7001 });
  });

  it('probe the lifecycle-api with the gRPC health service on its plaintext GRPC_HEALTH_PORT (kubelet probes cannot do TLS)', () => {
    const container = containerOf('lifecycle-api');
    expect(configMap['data'].GRPC_PORT).toBe('7000');
    expect(configMap['data'].GRPC_HEALTH_PORT).toBe('7002');
    expect(container.ports).toEqual([
      { name: 'grpc', containerPort: 7000 },
      { name: 'grpc-health', containerPort: 7002 },
      { name: 'metrics', containerPort: Number(configMap['data'].METRICS_PORT) },
    ]);
    expect(container.env).toContainEqual({ name: 'GRPC_HEALTH_PORT', valueFrom: { configMapKeyRef: { name: 'dsts-config', key: 'GRPC_HEALTH_PORT' } } });
    expect(container.readinessProbe.grpc).toEqual({ port: 7002, service: 'krypton.dsts.DeviceSTS' });
    expect(container.livenessProbe.grpc).toEqual({ port: 7002, service: '' });
    // The Service exposes only the authenticated port.
    expect(named('Service', 'lifecycle-api')['spec'].ports).toEqual([{ name: 'grpc', port: 7000, targetPort: 'grpc' }]);
  });

  it('give the lifecycle-api its TLS files and permissions file from mounted volumes', () => {
    const fileVariables = ['GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE', 'GRPC_TLS_CLIENT_CA_FILE', 'LIFECYCLE_PERMISSIONS_FILE'];
    for (const { name, spec } of podSpecs().filter((pod) => pod.spec.containers[0].image === 'dsts/lifecycle-api:latest' && !pod.spec.containers[0].args)) {
      expect({ name, variables: fileVariables.filter((variable) => envValue(spec, variable) === undefined) }).toEqual({ name, variables: [] });
      expect(envValue(spec, 'LIFECYCLE_AUTH')).toBeUndefined();
      for (const variable of fileVariables) expect(mountedFile(spec, variable).from).toMatch(/^(Secret|ConfigMap) /);
    }
  });

  it('give both services the same registered apps file (APPS_FILE) from the ConfigMap dsts-apps', () => {
    const files = ofKind('Deployment').map((deployment) => mountedFile(deployment['spec'].template.spec, 'APPS_FILE'));
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toEqual({ from: 'ConfigMap dsts-apps', key: 'apps.yaml', content: files[0]?.content });
    // The README's format; the shipped list is empty (apps need real public keys), see the ConfigMap's comment.
    expect(parseYaml(files[0]?.content as string)).toEqual({ apps: [] });
  });

  it('set the auth-gateway client address and rate limits explicitly, to values libs/config accepts', () => {
    const variables = ['TRUST_PROXY', 'RATE_LIMIT_PER_MINUTE', 'RATE_LIMIT_FAILURES_PER_MINUTE'];
    for (const key of variables) {
      expect(containerOf('auth-gateway').env).toContainEqual({ name: key, valueFrom: { configMapKeyRef: { name: 'dsts-config', key } } });
    }
    const config = loadConfig({ ...configMap['data'], DATABASE_URL: secret['stringData'].DATABASE_URL });
    // Limits on (0 would switch them off); the Service is ClusterIP, so clients come through one ingress that appends X-Forwarded-For.
    expect(config.rateLimit.perMinute).toBeGreaterThan(0);
    expect(config.rateLimit.failuresPerMinute).toBeGreaterThan(0);
    expect(config.rest.trustProxy).toBe(1);
  });

  it('ship a permissions file the lifecycle-api accepts', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'dsts-deploy-'));
    try {
      const file = path.join(folder, 'permissions.yaml');
      writeFileSync(file, named('ConfigMap', 'dsts-lifecycle-permissions')['data']['permissions.yaml']);
      const grants = await readPermissionsFile(file);
      expect(grants.certificates.size + grants.apps.size).toBeGreaterThan(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('configure only variables libs/config knows, each from a ConfigMap or Secret key that exists', () => {
    const keys = { 'dsts-config': configMap['data'], 'dsts-secrets': secret['stringData'] } as Record<string, Record<string, string>>;
    for (const key of [...Object.keys(configMap['data']), ...Object.keys(secret['stringData'])]) expect(CONFIG_VARIABLES).toContain(key);
    for (const { spec } of podSpecs()) {
      for (const { name, value, valueFrom } of spec.containers[0].env as Doc[]) {
        expect(CONFIG_VARIABLES).toContain(name);
        const ref = valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef;
        if (ref) expect(keys[ref.name]?.[ref.key]).toBeDefined();
        else expect(typeof value).toBe('string');
      }
    }
  });

  it('let Prometheus scrape /metrics of every pod on a port that serves it', () => {
    const metricsPort: Record<string, string> = { 'auth-gateway': configMap['data'].REST_PORT, 'lifecycle-api': configMap['data'].METRICS_PORT };
    for (const deployment of ofKind('Deployment')) {
      const name = deployment['metadata'].name as string;
      const ports = (containerOf(name).ports as { containerPort: number }[]).map((p) => String(p.containerPort));
      expect(deployment['spec'].template.metadata.annotations).toEqual({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': metricsPort[name],
        'prometheus.io/path': '/metrics',
      });
      expect(ports).toContain(metricsPort[name]);
    }
    expect(containerOf('lifecycle-api').env).toContainEqual({ name: 'METRICS_PORT', valueFrom: { configMapKeyRef: { name: 'dsts-config', key: 'METRICS_PORT' } } });
  });

  it('keep migrations in the Job: services never migrate on start, the Job runs migrate.js of the lifecycle-api build', () => {
    expect(configMap['data'].DATABASE_MIGRATE_ON_START).toBe('false');
    const job = named('Job', 'dsts-migrate')['spec'].template.spec;
    expect(job.restartPolicy).toBe('Never');
    expect(job.containers[0]).toMatchObject({ image: containerOf('lifecycle-api').image, args: ['node', 'migrate.js'] });
    const build = JSON.parse(readFileSync(path.join(__dirname, '../../apps/lifecycle-api/project.json'), 'utf8')).targets.build.options;
    expect(build.additionalEntryPoints).toEqual(['apps/lifecycle-api/src/migrate.ts']);
  });

  it('let every container read the Secret and ConfigMap files mounted into it (owner root, group fsGroup)', () => {
    for (const { name, spec } of podSpecs()) {
      expect({ name, problems: (spec.containers as Doc[]).flatMap((container) => unreadableFiles(spec, container)) }).toEqual({ name, problems: [] });
    }
    // The model itself: a 0400 Secret is root's alone, without fsGroup and with it.
    const pod = (securityContext: Doc, defaultMode: number) => ({
      securityContext,
      volumes: [{ name: 'tls', secret: { secretName: 'tls', defaultMode } }],
    });
    const container = { name: 'app', volumeMounts: [{ name: 'tls', mountPath: '/tls' }] };
    expect(unreadableFiles(pod({ runAsUser: 1000, runAsGroup: 1000 }, 0o400), container)).toHaveLength(1);
    expect(unreadableFiles(pod({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, 0o400), container)).toHaveLength(1);
    expect(unreadableFiles(pod({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 }, 0o440), container)).toEqual([]);
    expect(unreadableFiles(pod({ runAsUser: 1000, runAsGroup: 1000 }, 0o440), container)).toHaveLength(1);
  });

  it('pull the images only when missing (IfNotPresent): names are to be replaced by your registry, README "Kubernetes"', () => {
    for (const { name, spec } of podSpecs()) {
      for (const container of spec.containers as Doc[]) {
        expect({ name, image: container['image'], pull: container['imagePullPolicy'] }).toEqual({ name, image: expect.stringMatching(/^dsts\/[a-z-]+:latest$/), pull: 'IfNotPresent' });
      }
    }
  });

  it("keep the images' tini ENTRYPOINT: containers set args (the CMD), never command", () => {
    // `command` replaces the ENTRYPOINT: node would run as PID 1, which ignores SIGTERM.
    for (const { name, spec } of podSpecs()) {
      expect({ name, commands: (spec.containers as Doc[]).map((container) => container['command']).filter(Boolean) }).toEqual({ name, commands: [] });
    }
  });

  it('run every pod non-root on a read-only root filesystem, with requests and limits', () => {
    for (const { spec } of podSpecs()) {
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(Object.keys(container.resources).sort()).toEqual(['limits', 'requests']);
      }
    }
  });
});
