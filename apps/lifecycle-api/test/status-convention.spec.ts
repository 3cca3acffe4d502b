import { randomBytes } from 'node:crypto';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { GetDeviceRequest } from '@dsts/proto';
import { type RunningLifecycleApi, startLifecycleApi, v1 } from './lifecycle-api.harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('DeviceSTS status convention and bad input (SPEC §6)', () => {
  let api: RunningLifecycleApi;
  const tid = `tenant-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    api = await startLifecycleApi();
  });
  afterAll(() => api.close());

  const pingStillAnswers = async () => expect((await api.call('ping', { message: 'alive' })).message).toBe('alive');

  it('answers with gRPC OK and the outcome, request id and time in the header', async () => {
    const response = await api.call('getDevice', { header: v1('trace-42'), tid, deviceId: 'nobody' });
    expect(response.header).toEqual({
      protocolVersion: 'v1',
      status: GrpcStatus.NOT_FOUND,
      requestId: 'trace-42',
      statusMessage: 'device not found',
      responseTime: expect.any(Date),
    });
  });

  it.each([
    ['no header', undefined],
    ['protocol_version v2', { protocolVersion: 'v2', requestId: 'r' }],
    ['an empty protocol_version', { protocolVersion: '', requestId: 'r' }],
  ])('refuses %s with InvalidArgument', async (_label, header) => {
    const response = await api.call('getDevice', { header, tid, deviceId: 'dev-1' });
    expect(response.header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: 'protocol_version must be v1' });
    expect(response.header?.requestId).toMatch(header ? /^r$/ : UUID);
  });

  it('creates a request id when none is given, and refuses one over 128 characters', async () => {
    const generated = await api.call('getDevice', { header: v1(''), tid, deviceId: 'nobody' });
    const tooLong = await api.call('getDevice', { header: v1('r'.repeat(129)), tid, deviceId: 'nobody' });

    expect(generated.header?.requestId).toMatch(UUID);
    expect(tooLong.header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: 'request_id must be at most 128 characters' });
    const withControl = await api.call('getDevice', { header: v1('req\u0000\n'), tid, deviceId: 'nobody' });
    expect(withControl.header).toMatchObject({
      status: GrpcStatus.INVALID_ARGUMENT,
      statusMessage: 'request_id must be valid UTF-8 text without control characters',
    });
    expect(withControl.header?.requestId).toMatch(UUID);
    expect(tooLong.header?.requestId).toMatch(UUID);
  });

  it('answers bytes that are not a protobuf message with InvalidArgument', async () => {
    // Field 2 claims 5 bytes and carries one.
    const response = await api.callRaw('getDevice', Buffer.from([0x12, 0x05, 0x61]));
    expect(response.header).toMatchObject({ status: GrpcStatus.INVALID_ARGUMENT, statusMessage: 'request is not a valid protobuf message' });
    const ping = (await api.callRaw('ping', Buffer.from([0x0f])).catch((e: unknown) => e)) as ServiceError;
    expect(ping).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: 'request is not a valid protobuf message' });
  });

  it('answers invalid UTF-8 in an id with InvalidArgument', async () => {
    const valid = GetDeviceRequest.encode(GetDeviceRequest.fromPartial({ header: v1('utf8'), deviceId: 'dev-1' })).finish();
    const tidWithInvalidUtf8 = Buffer.from([0x1a, 0x03, 0x61, 0xff, 0xfe]);

    const response = await api.callRaw('getDevice', Buffer.concat([valid, tidWithInvalidUtf8]));

    expect(response.header).toMatchObject({
      status: GrpcStatus.INVALID_ARGUMENT,
      statusMessage: 'tid must be valid UTF-8 text without control characters',
      requestId: 'utf8',
    });
  });

  it('answers a 4 MB certificate with InvalidArgument in the header and keeps serving', async () => {
    const response = await api.call('createDevice', { header: v1(), tid, deviceId: 'dev-1', deviceCertificate: randomBytes(4 * 1024 * 1024) });

    expect(response.header).toMatchObject({
      status: GrpcStatus.INVALID_ARGUMENT,
      statusMessage: 'invalid device certificate: certificate is larger than 16384 bytes',
    });
    await pingStillAnswers();
  });

  it('refuses a message above GRPC_MAX_RECEIVE_MESSAGE_BYTES at the transport and keeps serving', async () => {
    const error = (await api
      .call('createDevice', { header: v1(), tid, deviceId: 'dev-1', deviceCertificate: Buffer.alloc(9 * 1024 * 1024) })
      .catch((e: unknown) => e)) as ServiceError;

    expect(error.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    await pingStillAnswers();
  });

  describe('with GRPC_REAL_STATUS_CODES=true', () => {
    let strict: RunningLifecycleApi;
    beforeAll(async () => {
      strict = await startLifecycleApi({ env: { GRPC_REAL_STATUS_CODES: 'true' } });
    });
    afterAll(() => strict.close());

    it('fails the call with the real status, the same message and the request id in the trailers', async () => {
      const error = (await strict.call('getDevice', { header: v1('real-1'), tid, deviceId: 'nobody' }).catch((e: unknown) => e)) as ServiceError;

      expect(error).toMatchObject({ code: GrpcStatus.NOT_FOUND, details: 'device not found' });
      expect(error.metadata.get('request_id')).toEqual(['real-1']);
      const invalid = (await strict.call('getDevice', { tid, deviceId: 'x' }).catch((e: unknown) => e)) as ServiceError;
      expect(invalid).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, details: 'protocol_version must be v1' });
    });

    it('still answers success with the header', async () => {
      const response = await strict.call('createEnrollmentToken', { header: v1('real-2'), tid: `${tid}-strict` });
      expect(response.header).toMatchObject({ status: GrpcStatus.OK, requestId: 'real-2' });
    });
  });
});
