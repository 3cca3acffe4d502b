import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConflictingCredentialOptions, localAdminFiles, resolveLifecycleCredentials } from './lifecycle-credentials';

describe('resolveLifecycleCredentials with the local admin files of npm start', () => {
  let root: string;
  let files: ReturnType<typeof localAdminFiles>;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lifecycle-credentials-'));
    files = localAdminFiles(root, {});
    await mkdir(join(root, '.data', 'tls'), { recursive: true });
    // Contents do not matter here: the files are read, not parsed.
    await writeFile(files.ca, 'ca');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('sends the admin certificate when both files are there', async () => {
    await writeFile(files.clientCert, 'certificate');
    await writeFile(files.clientKey, 'key');
    expect(await resolveLifecycleCredentials({}, {}, root)).toEqual({
      ca: Buffer.from('ca'),
      certificate: { certificateChain: Buffer.from('certificate'), privateKey: Buffer.from('key') },
      bearerToken: undefined,
    });
  });

  it('sends no certificate when neither file is there (the server then says UNAUTHENTICATED)', async () => {
    expect(await resolveLifecycleCredentials({}, {}, root)).toEqual({ ca: Buffer.from('ca'), certificate: undefined, bearerToken: undefined });
  });

  // Regression: with admin.key gone the certificate was silently left out and
  // the only message was the server's bare UNAUTHENTICATED.
  it.each([
    ['clientKey', 'admin.key'],
    ['clientCert', 'admin.pem'],
  ] as const)('names the missing file when only one of the pair is there (%s missing)', async (missing, name) => {
    const present = missing === 'clientKey' ? files.clientCert : files.clientKey;
    await writeFile(present, 'half');
    await expect(resolveLifecycleCredentials({}, {}, root)).rejects.toThrow(
      `${join(root, '.data', 'tls', name)} is missing: restart npm start to make the local admin certificate and key again, or give --client-cert and --client-key`,
    );
  });

  // A tool reports these as a bad command line (dstsctl: exit 2), not as credentials it could not find.
  it.each([
    [{ insecure: true, 'app-token': 'x.y.z' }, 'a bearer token is only sent over TLS: drop --insecure or --app-token'],
    [{ 'client-cert': 'admin.pem' }, '--client-cert and --client-key go together'],
  ])('refuses options that contradict each other (%o) with a ConflictingCredentialOptions', async (given, message) => {
    const refusal = resolveLifecycleCredentials(given, {}, root);
    await expect(refusal).rejects.toThrow(new ConflictingCredentialOptions(message));
    await expect(refusal).rejects.toBeInstanceOf(ConflictingCredentialOptions);
  });

  it('does not need the default pair when a token is given', async () => {
    await writeFile(files.clientCert, 'half');
    expect(await resolveLifecycleCredentials({ 'app-token': 'x.y.z' }, {}, root)).toMatchObject({ certificate: undefined, bearerToken: 'x.y.z' });
  });
});
