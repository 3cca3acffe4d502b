import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChannelCredentials, credentials, Metadata } from '@grpc/grpc-js';
import { localDataDir } from './local-stack';

/** How a client reaches the lifecycle-api: TLS (optionally a client certificate and/or an app bearer token), or plaintext. */
export type LifecycleCredentials =
  | {
      /** PEM of the CA(s) the server certificate must chain to. */
      ca: Buffer;
      /** PEM client certificate and key (mTLS); both or neither. */
      certificate?: { certificateChain: Buffer; privateKey: Buffer };
      /** App access token, sent as `authorization: Bearer …` on every call. */
      bearerToken?: string;
    }
  /** Only for a lifecycle-api in compatibility mode (LIFECYCLE_AUTH=insecure-compat). */
  | 'insecure';

export function channelCredentials(lifecycle: LifecycleCredentials): ChannelCredentials {
  if (lifecycle === 'insecure') return credentials.createInsecure();
  const tls = credentials.createSsl(lifecycle.ca, lifecycle.certificate?.privateKey ?? null, lifecycle.certificate?.certificateChain ?? null);
  const { bearerToken } = lifecycle;
  if (!bearerToken) return tls;
  return credentials.combineChannelCredentials(
    tls,
    credentials.createFromMetadataGenerator((_context, callback) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${bearerToken}`);
      callback(null, metadata);
    }),
  );
}

/** What a tool's command line (or environment) says about credentials. */
export interface CredentialOptions {
  ca?: string;
  'client-cert'?: string;
  'client-key'?: string;
  'app-token'?: string;
  insecure?: boolean;
}

/** Environment variables behind each option, for tools that offer them. */
export const CREDENTIAL_ENVIRONMENT = {
  ca: 'DSTS_GRPC_CA',
  'client-cert': 'DSTS_GRPC_CLIENT_CERT',
  'client-key': 'DSTS_GRPC_CLIENT_KEY',
  'app-token': 'DSTS_GRPC_APP_TOKEN',
  insecure: 'DSTS_GRPC_INSECURE',
} as const;

/** Files `npm start` generates (tools/stack): `<data dir>/tls/{ca.pem, admin.pem, admin.key}`. */
export function localAdminFiles(root: string, env: Record<string, string | undefined>) {
  const folder = join(localDataDir(root, env), 'tls');
  return { ca: join(folder, 'ca.pem'), clientCert: join(folder, 'admin.pem'), clientKey: join(folder, 'admin.key') };
}

/** Credential options (or their environment variables) that contradict each other: the tool's command line is wrong. */
export class ConflictingCredentialOptions extends Error {
  override readonly name = 'ConflictingCredentialOptions';
}

const exists = (path: string) => access(path).then(() => true, () => false);

async function read(option: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new Error(`--${option} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The credentials a tool uses: options first, then their environment
 * variables, then the local admin files of `npm start` (under `root`). A
 * bearer token replaces the default client certificate (an explicit
 * --client-cert is still sent); with --insecure nothing is sent, and a token is refused
 * (it would travel in plaintext). Contradicting options throw
 * {@link ConflictingCredentialOptions}. Only one of admin.pem / admin.key there is
 * an error naming the missing file.
 */
export async function resolveLifecycleCredentials(
  given: CredentialOptions,
  env: Record<string, string | undefined>,
  root: string,
): Promise<LifecycleCredentials> {
  const text = (name: Exclude<keyof CredentialOptions, 'insecure'>) => given[name] ?? (env[CREDENTIAL_ENVIRONMENT[name]] || undefined);
  const [ca, cert, key, token] = [text('ca'), text('client-cert'), text('client-key'), text('app-token')];
  if (given.insecure ?? ['true', '1', 'yes'].includes(env[CREDENTIAL_ENVIRONMENT.insecure] ?? '')) {
    if (token) throw new ConflictingCredentialOptions('a bearer token is only sent over TLS: drop --insecure or --app-token');
    return 'insecure';
  }
  const defaults = localAdminFiles(root, env);
  if (!ca && !(await exists(defaults.ca))) {
    throw new Error(
      `no CA certificate for the lifecycle-api's TLS: run npm start once (it makes ${defaults.ca}), give --ca (or ${CREDENTIAL_ENVIRONMENT.ca}), or use --insecure for a server in compatibility mode`,
    );
  }
  if (Boolean(cert) !== Boolean(key)) throw new ConflictingCredentialOptions('--client-cert and --client-key go together');
  let useDefaultCertificate = false;
  if (!cert && !token) {
    const [certificateThere, keyThere] = [await exists(defaults.clientCert), await exists(defaults.clientKey)];
    // Half a pair would silently send no certificate, and the server's bare UNAUTHENTICATED would not say why.
    if (certificateThere !== keyThere) {
      throw new Error(
        `${certificateThere ? defaults.clientKey : defaults.clientCert} is missing: restart npm start to make the local admin certificate and key again, or give --client-cert and --client-key`,
      );
    }
    useDefaultCertificate = certificateThere;
  }
  const [certificateFile, keyFile] = cert && key ? [cert, key] : useDefaultCertificate ? [defaults.clientCert, defaults.clientKey] : [];
  return {
    ca: await read('ca', ca ?? defaults.ca),
    certificate:
      certificateFile && keyFile ? { certificateChain: await read('client-cert', certificateFile), privateKey: await read('client-key', keyFile) } : undefined,
    bearerToken: token,
  };
}
