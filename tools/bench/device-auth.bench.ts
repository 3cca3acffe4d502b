/**
 * Device-auth throughput against the machine's raw RSA-4096 signing rate, and
 * the JOSE library decision of issue 4 (node-jose vs node:crypto signing).
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/bench/device-auth.bench.ts
 *
 * Needs the local Postgres and Redis (TEST_PG_ADMIN_URL / TEST_REDIS_URL as
 * for the tests); uses a throwaway database. Each measurement runs a few
 * seconds on loopback. Prints rates and ratios, asserts nothing.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { JWK, JWS } from 'node-jose';
import { createRedisCache } from '@dsts/cache';
import { loadConfig } from '@dsts/config';
import { createPrismaClient, migrate } from '@dsts/db';
import { createLogger, createMetrics } from '@dsts/observability';
import { createTemporaryDatabase, createTestCa, testRedisUrl, uniqueRunId } from '@dsts/testing';
import { createAuthServices } from '../../apps/auth-gateway/src/app/auth-services';
import { createApp } from '../../apps/auth-gateway/src/app/create-app';
import { registerDevice } from '../../apps/auth-gateway/test/client-flows';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 4);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const claims = { jti: '7a1f3c9e-0000-4000-8000-000000000000', iss: 'HP Device Token Service', sub: 'device', iat: 1, nbf: 1, exp: 3601, typ: 'device', tid: 'tenant' };

async function rate(label: string, operation: () => unknown): Promise<number> {
  const deadline = Date.now() + SECONDS * 1000;
  let count = 0;
  while (Date.now() < deadline) {
    await operation();
    count++;
  }
  const perSecond = count / SECONDS;
  console.log(`${label.padEnd(58)} ${perSecond.toFixed(1).padStart(8)} /s`);
  return perSecond;
}

function rawSign(privateKey: KeyObject): Promise<number> {
  const data = Buffer.from(`${Buffer.from(JSON.stringify({ alg: 'RS512' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`);
  return rate('raw crypto.sign RSA-4096 SHA-512 (one thread)', () => sign('sha512', data, privateKey));
}

async function nodeJoseSign(privateKey: KeyObject): Promise<number> {
  const key = await JWK.asKey(privateKey.export({ type: 'pkcs8', format: 'pem' }), 'pem', { alg: 'RS512', use: 'sig', kid: 'bench' });
  const payload = JSON.stringify(claims);
  return rate('node-jose JWS.createSign RS512 (same key)', () =>
    JWS.createSign({ format: 'compact', fields: { alg: 'RS512', kid: 'bench', typ: 'JWT' } }, key).update(payload).final(),
  );
}

async function flowsPerSecond(): Promise<{ flows: number; failures: number; keyStoreRate: number }> {
  const database = await createTemporaryDatabase('dsts_bench');
  await migrate({ databaseUrl: database.url });
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl,
    REDIS_KEY_PREFIX: `dsts_bench:${uniqueRunId()}:`,
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
  });
  const prisma = createPrismaClient({ databaseUrl: database.url, poolMax: config.database.poolMax });
  const cache = createRedisCache({ url: config.redis.url, keyPrefix: config.redis.keyPrefix });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const services = createAuthServices({
    config,
    prisma,
    cache,
    logger,
    encryptionKey: Buffer.from(config.signingKeys.encryptionKey as string, 'base64'),
    clock: () => new Date(),
  });
  await services.keys.ensurePrimaryKey();
  const keyStoreRate = await rate('key store signJwt RS512/4096 (node:crypto, sequential)', () => services.keys.signJwt(claims));
  const app = createApp({ config, logger, metrics: createMetrics('bench'), prisma, cache, ...services });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const ca = await createTestCa();
    const devices = await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, i) => {
        const device = await ca.issueDevice({ deviceId: `bench-${i}`, tenantId: 'bench-tenant' });
        await registerDevice(prisma, device);
        return {
          deviceId: device.deviceId,
          certificateDerBase64: device.certificateDer.toString('base64'),
          privateKeyPem: device.privateKey.export({ type: 'pkcs8', format: 'pem' }),
        };
      }),
    );
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = (seconds: number) =>
      new Promise<{ flows: number; failures: number }>((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(__dirname, 'flow-client.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`client exited ${code}`))));
        child.stdin.end(JSON.stringify({ baseUrl, seconds, devices }));
      });
    await run(1);
    const { flows, failures } = await run(SECONDS);
    console.log(`${`device-auth flows (challenge + token), ${CONCURRENCY} concurrent clients`.padEnd(58)} ${(flows / SECONDS).toFixed(1).padStart(8)} /s  (${failures} failed)`);
    return { flows: flows / SECONDS, failures, keyStoreRate };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await Promise.allSettled([prisma.$disconnect(), cache.close()]);
    await database.drop();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${SECONDS} s per measurement\n`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
  const raw = await rawSign(privateKey);
  const nodeJose = await nodeJoseSign(privateKey);
  const { flows, keyStoreRate } = await flowsPerSecond();
  console.log('');
  console.log(`node-jose signing cost vs crypto.sign: ${((raw / nodeJose - 1) * 100).toFixed(1)} % more time per signature (limit 10 %)`);
  console.log(`key store (node:crypto) vs raw crypto.sign: ${((keyStoreRate / raw) * 100).toFixed(1)} %`);
  console.log(`device-auth flows / raw RSA-4096 sign rate: ${((flows / raw) * 100).toFixed(1)} % (target ≥ 85 %)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
