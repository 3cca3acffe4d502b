import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { permissionsOf, readPermissionsFile } from './permissions-file';

describe('readPermissionsFile (LIFECYCLE_PERMISSIONS_FILE)', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'dsts-permissions-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  let count = 0;
  const fileWith = async (content: string) => {
    const file = join(folder, `permissions-${++count}.yaml`);
    await writeFile(file, content);
    return file;
  };
  const problem = (content: string) =>
    fileWith(content).then((file) =>
      readPermissionsFile(file).then(
        () => 'read',
        (error: Error) => error.message,
      ),
    );

  it('reads YAML and JSON grants for certificates and apps', async () => {
    const grants = await readPermissionsFile(
      await fileWith('certificates:\n  "CN=ops,O=Acme\\\\, Inc.":\n    - devices:read\n    - devices:write\napps:\n  enrollment: [enrollment:validate]\n'),
    );
    expect(permissionsOf(grants, { kind: 'certificate', id: 'CN=ops,O=Acme\\, Inc.' })).toEqual(new Set(['devices:read', 'devices:write']));
    expect(permissionsOf(grants, { kind: 'app', id: 'enrollment' })).toEqual(new Set(['enrollment:validate']));
    // Kinds never mix: an app id equal to a certificate subject gets nothing from it.
    expect(permissionsOf(grants, { kind: 'app', id: 'CN=ops,O=Acme\\, Inc.' })).toEqual(new Set());
    expect(permissionsOf(grants, { kind: 'anonymous', id: 'anonymous' })).toEqual(new Set());
    const json = await readPermissionsFile(await fileWith('{"apps": {"reporting": ["keys:read"]}}'));
    expect(json.apps.get('reporting')).toEqual(new Set(['keys:read']));
  });

  it('names the variable and the entry for unknown permissions, keys, and empty lists', async () => {
    expect(await problem('apps:\n  reporting: [devices:delete]\n')).toMatch(/^invalid configuration:\n {2}- LIFECYCLE_PERMISSIONS_FILE apps\.reporting\.0 /);
    expect(await problem('users:\n  alice: [devices:read]\n')).toMatch(/LIFECYCLE_PERMISSIONS_FILE \(root\) .*users/);
    expect(await problem('apps:\n  reporting: []\n')).toMatch(/LIFECYCLE_PERMISSIONS_FILE apps\.reporting /);
  });

  it('refuses certificate subjects not written as the service writes them (they would never match), naming each and how to print the right one', async () => {
    const message = await problem(
      'certificates:\n  "CN=dsts-local-admin, O=DSTS local": [devices:read]\n  "/O=DSTS local/CN=dsts-local-admin": [devices:read]\n  "CN=dsts-local-admin,O=DSTS local": [devices:read]\n',
    );
    expect(message.split('\n').slice(1)).toEqual([
      '  - LIFECYCLE_PERMISSIONS_FILE certificates entry "CN=dsts-local-admin, O=DSTS local" is not a subject as the lifecycle-api writes it (RFC 2253: last RDN first, no space after commas, e.g. "CN=admin,O=Example"); print it with `openssl x509 -noout -subject -nameopt RFC2253 -in admin.pem` and leave out "subject="',
      expect.stringContaining('LIFECYCLE_PERMISSIONS_FILE certificates entry "/O=DSTS local/CN=dsts-local-admin" is not a subject as the lifecycle-api writes it'),
    ]);
  });

  it('refuses a file that grants nothing, is not YAML, repeats an identity or cannot be read', async () => {
    expect(await problem('')).toContain('LIFECYCLE_PERMISSIONS_FILE grants no permission to anyone');
    expect(await problem('apps: {}\ncertificates: {}\n')).toContain('grants no permission to anyone');
    expect(await problem('apps: [unclosed\n')).toContain('LIFECYCLE_PERMISSIONS_FILE cannot be read as YAML or JSON');
    expect(await problem('apps:\n  reporting: [keys:read]\n  reporting: [devices:read]\n')).toContain('cannot be read as YAML or JSON');
    await expect(readPermissionsFile(join(folder, 'missing.yaml'))).rejects.toThrow('LIFECYCLE_PERMISSIONS_FILE cannot be read as YAML or JSON (ENOENT)');
  });
});
