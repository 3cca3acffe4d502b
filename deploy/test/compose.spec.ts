import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '@dsts/config';

type Service = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const compose = parse(readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;
const APPS = ['auth-gateway', 'lifecycle-api'];

describe('docker-compose.yml', () => {
  it('runs Postgres, Redis, the one-shot migration and both services', () => {
    expect(Object.keys(services).sort()).toEqual(['auth-gateway', 'lifecycle-api', 'migrate', 'postgres', 'redis']);
  });

  it("migrates once with the lifecycle-api image's migrate.js, after Postgres is healthy, retrying a failed attempt", () => {
    expect(services['migrate']).toMatchObject({
      image: services['lifecycle-api']?.['image'],
      command: ['node', 'migrate.js'],
      depends_on: { postgres: { condition: 'service_healthy' } },
      // A failed attempt (e.g. Postgres still busy) is retried; success ends it for good.
      restart: 'on-failure',
    });
    expect(Object.keys(services['migrate']?.['environment'])).toEqual(['DATABASE_URL']);
  });

  it('calls Postgres healthy only once it answers over TCP, as the other services connect', () => {
    // Without -h, pg_isready asks the unix socket, which answers before TCP during the image's init.
    const [kind, command] = services['postgres']?.['healthcheck'].test as string[];
    expect(kind).toBe('CMD-SHELL');
    expect(command).toMatch(/^pg_isready -h 127\.0\.0\.1 /);
  });

  it('starts each service after a successful migration and healthy Postgres and Redis, not migrating itself', () => {
    for (const app of APPS) {
      expect({ app, depends_on: services[app]?.['depends_on'] }).toEqual({
        app,
        depends_on: {
          migrate: { condition: 'service_completed_successfully' },
          postgres: { condition: 'service_healthy' },
          redis: { condition: 'service_healthy' },
        },
      });
      expect(services[app]?.['environment'].DATABASE_MIGRATE_ON_START).toBe('false');
    }
  });

  it('gives every service others wait for, and both apps, a healthcheck', () => {
    const awaited = Object.values(services).flatMap((service) =>
      Object.entries((service['depends_on'] ?? {}) as Record<string, { condition: string }>)
        .filter(([, { condition }]) => condition === 'service_healthy')
        .map(([name]) => name),
    );
    for (const name of new Set([...awaited, ...APPS])) expect({ name, test: services[name]?.['healthcheck']?.test?.[0] }).toEqual({ name, test: expect.stringMatching(/^CMD/) });
    // The lifecycle-api's is a real gRPC health check of the DeviceSTS service (built-service.spec.ts runs it).
    expect(services['lifecycle-api']?.['healthcheck'].test.join(' ')).toMatch(/grpc-health-check.*Check\(\{service:'krypton\.dsts\.DeviceSTS'\}/);
  });

  it('sets only variables libs/config knows, and publishes the ports they name', () => {
    for (const app of [...APPS, 'migrate']) {
      for (const name of Object.keys(services[app]?.['environment'])) expect(CONFIG_VARIABLES).toContain(name);
    }
    expect(services['lifecycle-api']?.['environment'].METRICS_PORT).toBe('9464');
    expect(services['lifecycle-api']?.['ports']).toEqual(['7000:7000', '9464:9464']);
    expect(services['auth-gateway']?.['ports']).toEqual(['7001:7001']);
  });
});
