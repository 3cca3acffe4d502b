import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { isCanonicalSubjectName } from '@dsts/certificates';
import { ConfigError, type Permission, PERMISSIONS } from '@dsts/config';
import type { CallerIdentity } from './caller-identity';

const VARIABLE = 'LIFECYCLE_PERMISSIONS_FILE';
/** Prints a certificate's subject exactly as callers are identified. */
const PRINT_SUBJECT = 'openssl x509 -noout -subject -nameopt RFC2253 -in admin.pem';

const grants = z.record(z.string().min(1), z.array(z.enum(PERMISSIONS)).min(1)).default({});
const fileSchema = z.strictObject({ certificates: grants, apps: grants });

/** Permissions per identity, as the permissions file grants them. */
export interface PermissionGrants {
  /** Client certificate subjects (RFC 4514, exactly as `subjectDistinguishedName` writes them) → permissions. */
  certificates: ReadonlyMap<string, ReadonlySet<Permission>>;
  /** Registered app ids → permissions. */
  apps: ReadonlyMap<string, ReadonlySet<Permission>>;
}

const toMap = (record: Record<string, Permission[]>) => new Map(Object.entries(record).map(([id, permissions]) => [id, new Set(permissions)]));

/** The permissions `grants` gives `identity` (none for anonymous callers). */
export function permissionsOf(grants: PermissionGrants, identity: CallerIdentity): ReadonlySet<Permission> {
  const table = identity.kind === 'certificate' ? grants.certificates : identity.kind === 'app' ? grants.apps : undefined;
  return table?.get(identity.id) ?? new Set();
}

/**
 * Reads the permissions file (YAML, or JSON which is YAML too):
 * `certificates: {<subject>: [permission…]}`, `apps: {<app id>: [permission…]}`.
 * Any problem — unreadable, unknown key or permission, a subject not written
 * as the service writes subjects, nothing granted — stops the start with a
 * ConfigError naming the variable and the entry.
 */
export async function readPermissionsFile(path: string): Promise<PermissionGrants> {
  const fail = (problem: string) => new ConfigError([`${VARIABLE} ${problem}`]);
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw fail(`cannot be read as YAML or JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).name})`);
  }
  const parsed = fileSchema.safeParse(document ?? {});
  if (!parsed.success) {
    throw fail(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; '));
  }
  // Subjects are compared with the caller's as strings: another spelling of the same name would never match.
  const misspelled = Object.keys(parsed.data.certificates).filter((subject) => !isCanonicalSubjectName(subject));
  if (misspelled.length > 0) {
    throw new ConfigError(
      misspelled.map(
        (subject) =>
          `${VARIABLE} certificates entry ${JSON.stringify(subject)} is not a subject as the lifecycle-api writes it (RFC 2253: last RDN first, no space after commas, e.g. "CN=admin,O=Example"); print it with \`${PRINT_SUBJECT}\` and leave out "subject="`,
      ),
    );
  }
  const result = { certificates: toMap(parsed.data.certificates), apps: toMap(parsed.data.apps) };
  if (result.certificates.size + result.apps.size === 0) throw fail('grants no permission to anyone: no caller could use the lifecycle-api');
  return result;
}
