import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestApp {
  id: string;
  name: string;
  enabled: boolean;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A registered app with a fresh RSA-2048 key pair. */
export function createTestApp(id: string, enabled = true): TestApp {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { id, name: `App ${id}`, enabled, publicKey, privateKey };
}

/**
 * Writes an `APPS_FILE` in the README's YAML format (a block-scalar PEM, the
 * way an operator writes it) into a fresh temporary directory; returns its path.
 */
export function writeAppsFile(apps: readonly TestApp[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'apps-')), 'apps.yaml');
  const entries = apps.flatMap((app) => [
    `  - id: ${app.id}`,
    `    name: ${app.name}`,
    `    enabled: ${app.enabled}`,
    '    public_key: |',
    ...(app.publicKey.export({ type: 'spki', format: 'pem' }) as string).trim().split('\n').map((line) => `      ${line}`),
  ]);
  writeFileSync(file, ['apps:', ...entries].join('\n'));
  return file;
}
