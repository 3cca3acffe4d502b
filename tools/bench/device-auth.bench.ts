/**
 * Device-auth throughput against the machine's raw RSA-4096 signing rate, and
 * the JOSE library decision of issue 4 (node-jose vs node:crypto signing).
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/bench/device-auth.bench.ts
 *
 * Needs the local Postgres and Redis (TEST_PG_ADMIN_URL / TEST_REDIS_URL as
 * for the tests); uses a throwaway database and Redis prefix, loopback only,
 * and removes both at the end. Three measurements, interleaved in rounds
 * (order rotated each round) so a change in machine load hits all of them:
 *
 * - raw: RSA-4096/SHA-512 signatures of a token's signing input with the
 *   gateway's key, asynchronous `crypto.sign` with as many calls in flight as
 *   libuv has pool threads, i.e. all cores the way the gateway signs;
 * - flows/s (challenge + token, RS512/4096) against the gateway in this
 *   process, load from flow-client.mjs in another process, tokens signed by
 *   the key store (node:crypto);
 * - the same flows with the tokens signed by node-jose with the same key.
 *
 * Ratios are taken within a round and reported as median [min–max]. Prints
 * figures and the decision that follows from them; asserts nothing.
 * Env: BENCH_ROUNDS (5), BENCH_SECONDS per measurement (4), BENCH_CONCURRENCY
 * (8 devices), BENCH_OPENSSL_SECONDS (3; 0 skips `openssl speed`).
 */
import { createPublicKey, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { accessTokenClaims } from '@dsts/tokens';
import { type BenchGateway, type SignerName, startBenchGateway } from './bench-gateway';
import { type LoadGenerator, startLoadGenerator } from './load-generator';
import { loadAverages, machineBusy } from './machine-load';
import { nodeSigningRate, opensslSigningRate } from './raw-signing';

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const ROUNDS = setting('BENCH_ROUNDS', 5);
const SECONDS = setting('BENCH_SECONDS', 4);
const DEVICES = setting('BENCH_CONCURRENCY', 8);
const OPENSSL_SECONDS = setting('BENCH_OPENSSL_SECONDS', 3);
const CORES = availableParallelism();
const POOL_THREADS = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
const TARGET = 0.85;
const NODE_JOSE_LIMIT = 0.1;

type Measurement = 'raw' | SignerName;
const MEASUREMENTS: Measurement[] = ['raw', 'node:crypto', 'node-jose'];

interface Sample {
  rate: number;
  /** Share of all cores busy during the measurement (whole machine). */
  busy: number | undefined;
  /** This process's CPU time per signature (ms), raw only. */
  signatureCpuMs?: number;
  /** CPU time per flow (ms), flows only. */
  gatewayCpuMs?: number;
  generatorCpuMs?: number;
  /** Share of the round the gateway's event loop was busy (0–1), flows only. */
  eventLoop?: number;
  /** All cores' busy time per flow (ms), flows only. */
  machineCpuMs?: number;
  failures: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fixed = (value: number, digits = 1) => value.toFixed(digits);
const percent = (value: number) => `${fixed(value * 100)} %`;
const spread = (values: number[], format: (value: number) => string) =>
  `${format(median(values))} [${format(Math.min(...values))}–${format(Math.max(...values))}]`;

/** The gateway's real token signing input, so the raw rate signs the same bytes. */
async function signingInput(gateway: BenchGateway): Promise<Buffer> {
  const token = await gateway.signers['node:crypto'].signJwt(accessTokenClaims({ typ: 'device', deviceId: 'bench-0', tenantId: 'bench-tenant', managementService: 'none' }, 'bench', new Date()));
  return Buffer.from(token.slice(0, token.lastIndexOf('.')));
}

/** Both signers must produce the same header and a signature valid for the key's public half. */
async function checkSigners(gateway: BenchGateway): Promise<void> {
  const publicKey = createPublicKey(gateway.signingKey);
  const headers = await Promise.all(
    (['node:crypto', 'node-jose'] as const).map(async (name) => {
      const [header, claims, signature] = (await gateway.signers[name].signJwt({ sub: 'check' })).split('.');
      if (!verify('sha512', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))) {
        throw new Error(`${name} produced an invalid RS512 signature`);
      }
      return JSON.parse(Buffer.from(header, 'base64url').toString());
    }),
  );
  const [crypto, jose] = headers.map((header) => JSON.stringify({ alg: header.alg, kid: header.kid, typ: header.typ }));
  if (crypto !== jose) throw new Error(`signers' headers differ: ${crypto} vs ${jose}`);
}

async function measure(which: Measurement, seconds: number, gateway: BenchGateway, generator: LoadGenerator, data: Buffer): Promise<Sample> {
  const busy = machineBusy();
  const cpu = process.cpuUsage();
  const cpuMs = () => {
    const { user, system } = process.cpuUsage(cpu);
    return (user + system) / 1000;
  };
  if (which === 'raw') {
    const { signatures, elapsedMs } = await nodeSigningRate(gateway.signingKey, data, seconds, POOL_THREADS);
    return { rate: signatures / (elapsedMs / 1000), signatureCpuMs: cpuMs() / signatures, busy: busy(), failures: 0 };
  }
  gateway.useSigner(which);
  const eventLoop = performance.eventLoopUtilization();
  const round = await generator.round(seconds);
  const gatewayCpuMs = cpuMs();
  const share = busy();
  const flows = Math.max(round.flows, 1);
  return {
    rate: round.flows / (round.elapsedMs / 1000),
    busy: share,
    eventLoop: performance.eventLoopUtilization(eventLoop).utilization,
    gatewayCpuMs: gatewayCpuMs / flows,
    generatorCpuMs: round.cpuMs / flows,
    machineCpuMs: share === undefined ? undefined : (share * CORES * round.elapsedMs) / flows,
    failures: round.failures,
  };
}

function describe(which: Measurement, sample: Sample): string {
  const busy = sample.busy === undefined ? '' : `, machine ${fixed(sample.busy * 100, 0)} % busy`;
  if (which === 'raw') return `raw ${fixed(sample.rate)} sig/s (CPU/sig ${fixed(sample.signatureCpuMs ?? 0, 2)} ms${busy})`;
  const failed = sample.failures ? `, ${sample.failures} FAILED` : '';
  const eventLoop = `, event loop ${fixed((sample.eventLoop ?? 0) * 100, 0)} % busy`;
  return `${which} ${fixed(sample.rate)} flows/s (CPU/flow: gateway ${fixed(sample.gatewayCpuMs ?? 0, 2)} ms, generator ${fixed(sample.generatorCpuMs ?? 0, 2)} ms${eventLoop}${busy})${failed}`;
}

function summary(samples: Record<Measurement, Sample[]>, openssl: (number | undefined)[], load: string[]): void {
  const rates = (which: Measurement) => samples[which].map((sample) => sample.rate);
  const perRound = (f: (round: number) => number) => samples.raw.map((_, round) => f(round));
  const flowShare = perRound((r) => samples['node:crypto'][r].rate / samples.raw[r].rate);
  const joseCost = perRound((r) => 1 - samples['node-jose'][r].rate / samples['node:crypto'][r].rate);
  const cryptoFlows = samples['node:crypto'];
  const ms = (values: (number | undefined)[]) => spread(values.filter((v): v is number => v !== undefined), (v) => `${fixed(v, 2)} ms`);
  const rate = (v: number) => fixed(v);

  console.log(`\n=== summary: ${ROUNDS} interleaved rounds of ${SECONDS} s, median [min–max] ===`);
  console.log(`machine: ${CORES} cores, libuv pool ${POOL_THREADS} threads, node ${process.version}; load average at start ${load[0]}, at end ${load[1]}`);
  console.log(`raw RSA-4096/SHA-512, async crypto.sign, ${POOL_THREADS} in flight: ${spread(rates('raw'), rate)} sig/s`);
  if (openssl.some((value) => value !== undefined)) {
    console.log(`openssl speed -multi ${CORES} rsa4096 (start, end): ${openssl.map((value) => (value === undefined ? 'n/a' : fixed(value))).join(', ')} sig/s`);
  }
  console.log(`flows/s, tokens signed by node:crypto (key store): ${spread(rates('node:crypto'), rate)}`);
  console.log(`flows/s, tokens signed by node-jose (same key):     ${spread(rates('node-jose'), rate)}`);
  const signatureCpuMs = median(samples.raw.map((s) => s.signatureCpuMs ?? NaN));
  console.log(
    `CPU per node:crypto flow: gateway process ${ms(cryptoFlows.map((s) => s.gatewayCpuMs))} ` +
      `(of which the RS512 signature ≈ ${fixed(signatureCpuMs, 2)} ms, as measured raw), load generator ${ms(cryptoFlows.map((s) => s.generatorCpuMs))}, ` +
      `all cores incl. Postgres, Redis and any other load on the machine ${ms(cryptoFlows.map((s) => s.machineCpuMs))}`,
  );
  const eventLoop = (which: SignerName) => spread(samples[which].map((s) => s.eventLoop ?? NaN), percent);
  console.log(`gateway event loop busy: node:crypto rounds ${eventLoop('node:crypto')}, node-jose rounds ${eventLoop('node-jose')}`);
  const joseExtraCpu = perRound((r) => (samples['node-jose'][r].gatewayCpuMs ?? NaN) - (cryptoFlows[r].gatewayCpuMs ?? NaN));
  console.log(`gateway CPU per flow added by node-jose signing (jose − crypto, per round): ${ms(joseExtraCpu)}`);
  const failures = MEASUREMENTS.reduce((sum, which) => sum + samples[which].reduce((n, s) => n + s.failures, 0), 0);
  if (failures) console.log(`WARNING: ${failures} flows failed; the figures are not valid`);
  console.log('');
  console.log(`flows (node:crypto) ÷ raw multi-core signing rate: ${spread(flowShare, percent)} — target ≥ ${percent(TARGET)}: ${median(flowShare) >= TARGET ? 'met' : 'NOT met'}`);
  // The issue also names "a Node loop of crypto.sign" (one core) as the raw rate: report that reading too.
  const singleCore = perRound((r) => samples['node:crypto'][r].rate / (1000 / (samples.raw[r].signatureCpuMs ?? NaN))).filter((v) => !Number.isNaN(v));
  if (singleCore.length) {
    console.log(`flows (node:crypto) ÷ one core's signing rate (1000 ms ÷ CPU ms per raw signature): ${spread(singleCore, percent)}`);
  }
  const withoutGenerator = perRound((r) => {
    const { machineCpuMs, generatorCpuMs } = cryptoFlows[r];
    return machineCpuMs === undefined ? NaN : (cryptoFlows[r].rate * machineCpuMs) / (machineCpuMs - (generatorCpuMs ?? 0)) / samples.raw[r].rate;
  }).filter((value) => !Number.isNaN(value));
  if (withoutGenerator.length) {
    console.log(`  same, if the load generator's CPU were not taken from these cores (estimate, holds only while the machine is CPU-bound): ${spread(withoutGenerator, percent)}`);
  }
  const above = joseCost.filter((cost) => cost >= NODE_JOSE_LIMIT).length;
  console.log(`node-jose cost in flow throughput (1 − jose ÷ crypto flows/s): ${spread(joseCost, percent)} — limit ${percent(NODE_JOSE_LIMIT)}, above it in ${above} of ${ROUNDS} rounds`);
  console.log(
    median(joseCost) >= NODE_JOSE_LIMIT
      ? 'decision: node-jose costs more than 10 % of the flow throughput → sign on the hot path with node:crypto, keep node-jose for key management'
      : 'decision: node-jose costs less than 10 % of the flow throughput → the issue says node-jose signs on the hot path',
  );
}

async function main(): Promise<void> {
  if (ROUNDS < 1 || SECONDS < 1) throw new Error('BENCH_ROUNDS and BENCH_SECONDS must be at least 1');
  const load = [loadAverages()];
  console.log(`node ${process.version}, ${CORES} cores, ${ROUNDS} rounds × ${MEASUREMENTS.length} measurements × ${SECONDS} s, ${DEVICES} devices; load average ${load[0]}`);
  const openssl = OPENSSL_SECONDS ? [await opensslSigningRate(OPENSSL_SECONDS, CORES)] : [];
  const gateway = await startBenchGateway(DEVICES);
  let generator: LoadGenerator | undefined;
  try {
    generator = await startLoadGenerator(gateway.baseUrl, gateway.devices);
    await checkSigners(gateway);
    const data = await signingInput(gateway);
    for (const which of MEASUREMENTS) await measure(which, 1, gateway, generator, data); // warm-up, not counted
    const samples: Record<Measurement, Sample[]> = { raw: [], 'node:crypto': [], 'node-jose': [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = MEASUREMENTS.map((_, i) => MEASUREMENTS[(i + round) % MEASUREMENTS.length]);
      const line: string[] = [];
      for (const which of order) {
        const sample = await measure(which, SECONDS, gateway, generator, data);
        samples[which].push(sample);
        line.push(describe(which, sample));
      }
      console.log(`round ${round + 1}: ${line.join(' | ')}`);
    }
    if (OPENSSL_SECONDS) openssl.push(await opensslSigningRate(OPENSSL_SECONDS, CORES));
    load.push(loadAverages());
    summary(samples, openssl, load);
  } finally {
    await generator?.stop();
    await gateway.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
