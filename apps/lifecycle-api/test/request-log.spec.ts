import { captureLogs } from '@dsts/testing';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

describe('request log of the lifecycle-api', () => {
  const log = captureLogs();
  let api: RunningLifecycleApi;

  beforeAll(async () => {
    api = await startLifecycleApi({ logDestination: log.destination, logLevel: 'debug' });
  });
  afterAll(() => api.close());

  it('logs every finished RPC at debug level with its method, status code, duration and request id', async () => {
    await api.call('getDevice', { header: v1('rpc-logged-1'), tid: 'acme', deviceId: 'no-such-device' });
    await api.call('ping', { message: 'hello' });

    expect(log.lines().filter((line) => line['msg'] === 'rpc completed')).toEqual([
      expect.objectContaining({ level: 'debug', requestId: 'rpc-logged-1', method: 'GetDevice', code: 'NOT_FOUND', durationSeconds: expect.any(Number) }),
      expect.objectContaining({ level: 'debug', method: 'Ping', code: 'OK', durationSeconds: expect.any(Number) }),
    ]);
  });
});
