import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '@dsts/config';
import type { RegisteredAppDefinition } from '@dsts/db';

const MIN_RSA_BITS = 2048;

const appSchema = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(256),
  enabled: z.boolean().default(true),
  public_key: z.string().min(1),
});
const fileSchema = z.object({ apps: z.array(appSchema) });

/**
 * Reads the registered apps file (YAML, or JSON which is YAML too):
 * `apps: [{id, name, enabled, public_key}]`, `public_key` an RSA (≥ 2048 bit)
 * public key in PEM. Any problem stops the start with a ConfigError naming
 * the file and the entry, never the key material.
 */
export async function readRegisteredAppsFile(path: string): Promise<RegisteredAppDefinition[]> {
  const fail = (problem: string) => new ConfigError([`APPS_FILE ${path}: ${problem}`]);
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw fail(`cannot be read as YAML or JSON (${(error as Error).name})`);
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; '));
  }
  const seen = new Set<string>();
  return parsed.data.apps.map((app, index) => {
    if (seen.has(app.id)) throw fail(`apps.${index}.id duplicates ${app.id}`);
    seen.add(app.id);
    let bits: number | undefined;
    try {
      const key = createPublicKey(app.public_key);
      bits = key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : undefined;
    } catch {
      throw fail(`apps.${index}.public_key is not a PEM public key`);
    }
    if (!bits || bits < MIN_RSA_BITS) throw fail(`apps.${index}.public_key must be an RSA key of at least ${MIN_RSA_BITS} bits`);
    return { id: app.id, name: app.name, isEnabled: app.enabled, publicKey: app.public_key };
  });
}
