import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { type RunningLifecycleApi, startLifecycleApi } from '../../test/lifecycle-api.harness';

/** buf curl: a Go reflection client (protodesc, like grpcurl) that needs exact descriptors. */
const BUF = path.resolve(__dirname, '../../../../node_modules/.bin/buf');

const DEVICE_STS_METHODS = [
  'AuthenticateApp',
  'CreateDevice',
  'CreateEnrollmentToken',
  'DeleteDevice',
  'DeleteEnrollmentToken',
  'GetAppAuthenticationChallenge',
  'GetDevice',
  'GetEnrollmentToken',
  'GetSigningKey',
  'ListDevices',
  'Ping',
  'UpdateDevice',
  'ValidateEnrollmentToken',
].map((method) => `krypton.dsts.DeviceSTS/${method}`);

describe.each([
  ['grpc-v1', 'v1'],
  ['grpc-v1alpha', 'v1alpha'],
])('server reflection: buf curl --reflect-protocol %s', (protocol, version) => {
  let api: RunningLifecycleApi;
  const now = new Date('2026-12-03T12:00:00Z');

  beforeAll(async () => {
    api = await startLifecycleApi({ clock: () => now });
  });
  afterAll(() => api.close());

  const curl = async (...args: string[]) => {
    const target = args[args.length - 1].startsWith('/') ? (args.pop() as string) : '';
    // TLS trusting the test CA, without a client certificate: reflection, health and Ping are open.
    const { stdout } = await promisify(execFile)(BUF, [
      'curl',
      '--protocol=grpc',
      `--cacert=${api.tls?.env.GRPC_TLS_CLIENT_CA_FILE}`,
      `--reflect-protocol=${protocol}`,
      ...args,
      `https://${api.address}${target}`,
    ]);
    return stdout;
  };
  const lines = (text: string) => text.trim().split('\n');

  it('lists the services', async () => {
    expect(lines(await curl('--list-services'))).toEqual([
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'krypton.dsts.DeviceSTS',
    ]);
  });

  it('lists the 13 DeviceSTS methods and the health methods', async () => {
    const methods = lines(await curl('--list-methods'));
    expect(methods.filter((m) => m.startsWith('krypton.dsts.'))).toEqual(DEVICE_STS_METHODS);
    expect(methods).toEqual(expect.arrayContaining(['grpc.health.v1.Health/Check', 'grpc.health.v1.Health/Watch']));
  });

  it('calls Ping with a JSON body built from the reflected schema', async () => {
    const answer = await curl('-d', '{"message":"hi"}', '/krypton.dsts.DeviceSTS/Ping');
    expect(JSON.parse(answer)).toEqual({ message: 'hi', responseTime: '2026-12-03T12:00:00Z' });
  });

  it('calls grpc.health.v1.Health/Check for the server and for DeviceSTS', async () => {
    expect(JSON.parse(await curl('/grpc.health.v1.Health/Check'))).toEqual({ status: 'SERVING' });
    const service = await curl('-d', '{"service":"krypton.dsts.DeviceSTS"}', '/grpc.health.v1.Health/Check');
    expect(JSON.parse(service)).toEqual({ status: 'SERVING' });
  });

  const reflect = async (request: object) =>
    JSON.parse(await curl('-d', JSON.stringify(request), `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`));

  it('answers file_by_filename with the compiled file and its imports, names and types fully qualified', async () => {
    const answer = await reflect({ fileByFilename: 'krypton/dsts/dsts.proto' });
    const files = (answer.fileDescriptorResponse.fileDescriptorProto as string[]).map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, Buffer.from(bytes, 'base64')),
    );
    expect(files.map((f) => f.name)).toEqual([
      'krypton/dsts/dsts.proto',
      'google/protobuf/field_mask.proto',
      'google/protobuf/timestamp.proto',
    ]);
    const [dsts] = files;
    expect(dsts.dependency).toEqual(['google/protobuf/field_mask.proto', 'google/protobuf/timestamp.proto']);
    const ping = dsts.service[0].method.find((m) => m.name === 'Ping');
    expect([ping?.inputType, ping?.outputType]).toEqual(['.krypton.dsts.PingRequest', '.krypton.dsts.PingResponse']);
    // Field names as written in the proto, so tools build JSON the original's clients know.
    const header = dsts.messageType.find((m) => m.name === 'DstsRequestHeader');
    expect(header?.field.map((f) => f.name)).toContain('protocol_version');
  });

  it('answers unknown files, symbols and extensions with NOT_FOUND', async () => {
    const notFound = { errorResponse: { errorCode: 5, errorMessage: expect.any(String) } };
    await expect(reflect({ fileByFilename: 'krypton_dsts.proto' })).resolves.toMatchObject(notFound);
    await expect(reflect({ fileContainingSymbol: 'krypton.dsts.NoSuchService' })).resolves.toMatchObject(notFound);
    const extension = { containingType: 'krypton.dsts.PingRequest', extensionNumber: 100 };
    await expect(reflect({ fileContainingExtension: extension })).resolves.toMatchObject(notFound);
  });
});
