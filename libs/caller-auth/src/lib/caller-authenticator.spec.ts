import { X509Certificate } from 'node:crypto';
import { DstsError } from '@dsts/errors';
import { createTestPki } from '@dsts/testing';
import { createCallerAuthenticator } from './caller-authenticator';
import type { PermissionGrants } from './permissions-file';

/** Stands in for libs/tokens' verifier: `app:<id>` is a valid token of app <id>; `down` fails like a database outage. */
const appTokens = {
  async verify(token: string) {
    if (token === 'down') throw new DstsError('DEPENDENCY_UNAVAILABLE', 'database temporarily unavailable, retry later');
    if (!token.startsWith('app:')) throw new DstsError('ACCESS_TOKEN_INVALID', 'access token is expired', { reason: 'ACCESS_TOKEN_EXPIRED' });
    return token.slice(4);
  },
};

const grants: PermissionGrants = {
  certificates: new Map([['CN=admin,O=ops', new Set(['devices:read', 'devices:write'] as const)]]),
  apps: new Map([['reporting', new Set(['devices:read'] as const)]]),
};

describe('caller authenticator', () => {
  const authenticator = createCallerAuthenticator({ grants, appTokens });
  let adminDer: Buffer;

  beforeAll(async () => {
    const pki = await createTestPki();
    const admin = await pki.issue({ subject: [{ O: ['ops'] }, { CN: ['admin'] }], usage: 'client' });
    adminDer = new X509Certificate(admin.certificatePem).raw;
  });

  const outcome = (verifiedCertificate: Buffer | undefined, authorization: string | undefined, permission: 'devices:read' | 'devices:write' = 'devices:read') =>
    authenticator.admit({ verifiedCertificate, authorization }, permission).then(
      (identity) => identity,
      (error: DstsError) => ({ code: error.code, message: error.message, reasonCode: error.reason, reason: (error.cause as Error).message }),
    );

  it('identifies certificates by subject DN and apps by id, when they hold the permission', async () => {
    expect(await outcome(adminDer, undefined, 'devices:write')).toEqual({ kind: 'certificate', id: 'CN=admin,O=ops' });
    expect(await outcome(undefined, 'Bearer app:reporting')).toEqual({ kind: 'app', id: 'reporting' });
    expect(await outcome(undefined, 'bearer app:reporting')).toEqual({ kind: 'app', id: 'reporting' });
  });

  it('lets a bearer token decide over the certificate, without falling back when it is bad', async () => {
    expect(await outcome(adminDer, 'Bearer app:reporting', 'devices:write')).toMatchObject({ code: 'PERMISSION_DENIED', reason: 'app reporting lacks devices:write' });
    expect(await outcome(adminDer, 'Bearer expired')).toEqual({
      code: 'CALLER_UNAUTHENTICATED',
      message: 'authentication required',
      reasonCode: 'ACCESS_TOKEN_EXPIRED',
      reason: 'access token is expired',
    });
  });

  it('gives one message for every authentication failure, the reason only in the reason code and the cause', async () => {
    const failed = { code: 'CALLER_UNAUTHENTICATED', message: 'authentication required' };
    expect(await outcome(undefined, undefined)).toEqual({ ...failed, reasonCode: 'NO_CREDENTIALS', reason: 'no credentials' });
    expect(await outcome(undefined, 'Basic YTpi')).toEqual({ ...failed, reasonCode: 'AUTHORIZATION_NOT_BEARER', reason: 'authorization is not a bearer token' });
    expect(await outcome(undefined, `Bearer ${'x'.repeat(9000)}`)).toEqual({ ...failed, reasonCode: 'AUTHORIZATION_NOT_BEARER', reason: 'authorization is not a bearer token' });
  });

  it('denies identities without the permission, and lets dependency failures through as they are', async () => {
    expect(await outcome(undefined, 'Bearer app:unlisted')).toEqual({
      code: 'PERMISSION_DENIED',
      message: 'permission denied',
      reasonCode: 'PERMISSION_NOT_GRANTED',
      reason: 'app unlisted lacks devices:read',
    });
    await expect(authenticator.admit({ verifiedCertificate: undefined, authorization: 'Bearer down' }, 'devices:read')).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
    });
  });
});
