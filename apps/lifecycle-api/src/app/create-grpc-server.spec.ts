import {
  type Client,
  type GrpcObject,
  loadPackageDefinition,
  type ServiceClientConstructor,
  status as GrpcStatus,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { type RunningLifecycleApi, startLifecycleApi } from '../../test/lifecycle-api.harness';
import { DEVICE_STS_SERVICE_NAME } from './create-grpc-server';

describe('lifecycle-api gRPC server', () => {
  let api: RunningLifecycleApi;
  let address: string;
  const now = new Date('2026-12-03T12:00:00Z');

  beforeAll(async () => {
    api = await startLifecycleApi({ clock: () => now });
    address = api.address;
  });
  afterAll(() => api.close());

  const ping = (message: string) => api.call('ping', { message });

  it('Ping echoes the message with the response time', async () => {
    await expect(ping('hello')).resolves.toEqual({ message: 'hello', responseTime: now });
  });

  it('Ping accepts 25 characters and refuses 26 with InvalidArgument', async () => {
    await expect(ping('x'.repeat(25))).resolves.toMatchObject({ message: 'x'.repeat(25) });
    const error = (await ping('x'.repeat(26)).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.details).toBe('message must be at most 25 characters');
  });

  it('serves the standard gRPC health service for the server and for DeviceSTS', async () => {
    const definition = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
    const Health = (definition['grpc'] as GrpcObject)['health'] as GrpcObject;
    const HealthClient = (Health['v1'] as GrpcObject)['Health'] as ServiceClientConstructor;
    const health = new HealthClient(address, api.credentials) as unknown as Client & {
      check(req: { service: string }, cb: (e: Error | null, r: { status: string }) => void): void;
    };
    const check = (service: string) =>
      new Promise<{ status: string }>((resolve, reject) =>
        health.check({ service }, (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r))),
      );
    try {
      await expect(check('')).resolves.toEqual({ status: 'SERVING' });
      await expect(check(DEVICE_STS_SERVICE_NAME)).resolves.toEqual({ status: 'SERVING' });
      await expect(check('no.such.Service')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    } finally {
      health.close();
    }
  });
});
