import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedPostgresPort, embeddedPostgresUrl, localDatabaseUrl } from './local-stack';

describe('the embedded PostgreSQL of npm start, as tools reach it', () => {
  it('percent-encodes the generated password (standard base64: + / =)', () => {
    const url = embeddedPostgresUrl(54329, 'ab+c/d==');
    expect(url).toBe('postgresql://postgres:ab%2Bc%2Fd%3D%3D@127.0.0.1:54329/dsts');
    expect(decodeURIComponent(new URL(url).password)).toBe('ab+c/d==');
  });

  it('reads EMBEDDED_POSTGRES_PORT (default 54329) and refuses what is not a port', () => {
    expect(embeddedPostgresPort({})).toBe(54329);
    expect(embeddedPostgresPort({ EMBEDDED_POSTGRES_PORT: '6000' })).toBe(6000);
    expect(() => embeddedPostgresPort({ EMBEDDED_POSTGRES_PORT: '70000' })).toThrow('EMBEDDED_POSTGRES_PORT must be a port number (1-65535)');
  });

  it('builds the URL from the password file in the data folder, or says the file is missing', async () => {
    const root = await mkdtemp(join(tmpdir(), 'local-stack-'));
    try {
      await expect(localDatabaseUrl(root, { DSTS_DATA_DIR: 'data' })).rejects.toThrow(
        `no DATABASE_URL, and no embedded PostgreSQL of npm start: ${join(root, 'data', 'postgres-password')} is missing (run npm start, or set DATABASE_URL)`,
      );
      const dataDir = await mkdtemp(join(root, 'data-'));
      await writeFile(join(dataDir, 'postgres-password'), 'ab+c/d==\n');
      expect(await localDatabaseUrl(root, { DSTS_DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: '6000' })).toBe('postgresql://postgres:ab%2Bc%2Fd%3D%3D@127.0.0.1:6000/dsts');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
