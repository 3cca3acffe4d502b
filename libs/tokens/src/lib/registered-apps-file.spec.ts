import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@dsts/config';
import { readRegisteredAppsFile } from './registered-apps-file';

const dir = mkdtempSync(path.join(os.tmpdir(), 'apps-file-'));
let counter = 0;
function file(content: string, extension = 'yaml'): string {
  const name = path.join(dir, `apps-${counter++}.${extension}`);
  writeFileSync(name, content);
  return name;
}
const rsaPem = (bits = 2048) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('readRegisteredAppsFile', () => {
  it('reads YAML and JSON, defaulting enabled to true', async () => {
    const key = rsaPem();
    const yaml = file(`apps:\n  - id: a\n    name: A\n    public_key: ${JSON.stringify(key)}\n  - id: b\n    name: B\n    enabled: false\n    public_key: ${JSON.stringify(key)}\n`);
    const json = file(JSON.stringify({ apps: [{ id: 'a', name: 'A', public_key: key }] }), 'json');

    expect(await readRegisteredAppsFile(yaml)).toEqual([
      { id: 'a', name: 'A', isEnabled: true, publicKey: key },
      { id: 'b', name: 'B', isEnabled: false, publicKey: key },
    ]);
    expect(await readRegisteredAppsFile(json)).toEqual([{ id: 'a', name: 'A', isEnabled: true, publicKey: key }]);
  });

  it.each([
    ['a missing field', () => `apps:\n  - id: a\n    public_key: x\n`, /apps\.0\.name/],
    ['a duplicate id', () => JSON.stringify({ apps: [{ id: 'a', name: 'A', public_key: rsaPem() }, { id: 'a', name: 'B', public_key: rsaPem() }] }), /apps\.1\.id duplicates a/],
    ['a key that is not PEM', () => JSON.stringify({ apps: [{ id: 'a', name: 'A', public_key: 'MIIB-secret-ish' }] }), /apps\.0\.public_key is not a PEM public key/],
    ['an RSA key under 2048 bits', () => JSON.stringify({ apps: [{ id: 'a', name: 'A', public_key: rsaPem(1024) }] }), /at least 2048 bits/],
    ['an EC key', () => JSON.stringify({ apps: [{ id: 'a', name: 'A', public_key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }) }] }), /must be an RSA key/],
    ['no YAML at all', () => 'apps: [unclosed', /cannot be read/],
  ])('refuses %s with a ConfigError naming the file and entry, not the key', async (_label, content, problem) => {
    const name = file(content());
    const error = await readRegisteredAppsFile(name).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(`APPS_FILE ${name}`);
    expect((error as ConfigError).message).toMatch(problem);
    expect((error as ConfigError).message).not.toContain('MIIB');
  });

  it('refuses a missing file', async () => {
    await expect(readRegisteredAppsFile(path.join(dir, 'absent.yaml'))).rejects.toThrow(/APPS_FILE .* cannot be read/);
  });
});
