import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  CreateDeviceRequest,
  DeviceSTSService,
  GetDeviceResponse,
  ListDevicesResponse,
  UpdateDeviceRequest,
  ValidateEnrollmentTokenResponse,
} from '../index';

/**
 * Bytes are written field by field with the numbers from SPEC.md §6 (not with
 * the generated encoders), so a renumbered field in proto/ fails here.
 */
function timestamp(seconds: number, nanos = 0): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(seconds);
  if (nanos) w.tag(2, WireType.Varint).int32(nanos);
  return w.finish();
}

function requestHeader(version: string, requestId: string): Uint8Array {
  return new BinaryWriter()
    .tag(1, WireType.LengthDelimited).string(version)
    .tag(2, WireType.LengthDelimited).string(requestId)
    .tag(3, WireType.LengthDelimited).bytes(timestamp(1_700_000_000))
    .finish();
}

describe('krypton.dsts wire contract', () => {
  it('decodes a CreateDeviceRequest written with the SPEC field numbers', () => {
    const cert = Buffer.from([0x30, 0x82, 0x01, 0x0a]);
    const bytes = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).bytes(requestHeader('v1', 'req-1'))
      .tag(2, WireType.LengthDelimited).string('v1')
      .tag(3, WireType.LengthDelimited).string('tenant-a')
      .tag(4, WireType.LengthDelimited).string('device-1')
      .tag(5, WireType.LengthDelimited).bytes(cert)
      .tag(6, WireType.LengthDelimited).string('hpconnect')
      .tag(7, WireType.LengthDelimited).string('hw-hash')
      .finish();

    const decoded = CreateDeviceRequest.decode(bytes);

    expect(decoded.header).toEqual({
      protocolVersion: 'v1',
      requestId: 'req-1',
      requestTime: new Date(1_700_000_000_000),
    });
    expect(decoded.version).toBe('v1');
    expect(decoded.tid).toBe('tenant-a');
    expect(decoded.deviceId).toBe('device-1');
    expect(Buffer.from(decoded.deviceCertificate)).toEqual(cert);
    expect(decoded.managementService).toBe('hpconnect');
    expect(decoded.hardwareHash).toBe('hw-hash');
  });

  it('decodes a GetDeviceResponse with a full Device and response header', () => {
    const header = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).string('v1')
      .tag(2, WireType.Varint).uint32(5)
      .tag(3, WireType.LengthDelimited).string('req-2')
      .tag(4, WireType.LengthDelimited).string('device not found')
      .tag(5, WireType.LengthDelimited).bytes(timestamp(1_700_000_001, 500_000_000))
      .finish();
    const device = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).string('tenant-a')
      .tag(2, WireType.LengthDelimited).string('device-1')
      .tag(3, WireType.Varint).bool(true)
      .tag(4, WireType.Varint).bool(true)
      .tag(5, WireType.LengthDelimited).string('ab'.repeat(32))
      .tag(6, WireType.LengthDelimited).bytes(timestamp(1_600_000_000))
      .tag(7, WireType.LengthDelimited).bytes(timestamp(1_900_000_000))
      .tag(8, WireType.LengthDelimited).string('hpcem')
      .tag(9, WireType.LengthDelimited).string('hash')
      .finish();
    const bytes = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).bytes(header)
      .tag(2, WireType.LengthDelimited).bytes(device)
      .finish();

    expect(GetDeviceResponse.decode(bytes)).toEqual({
      header: {
        protocolVersion: 'v1',
        status: 5,
        requestId: 'req-2',
        statusMessage: 'device not found',
        responseTime: new Date(1_700_000_001_500),
      },
      device: {
        tid: 'tenant-a',
        deviceId: 'device-1',
        isEnabled: true,
        isLost: true,
        certificateThumbprint: 'ab'.repeat(32),
        issuedTime: new Date(1_600_000_000_000),
        expiryTime: new Date(1_900_000_000_000),
        managementService: 'hpcem',
        hardwareHash: 'hash',
      },
    });
  });

  it('decodes repeated devices and next_page of ListDevicesResponse', () => {
    const device = (id: string) =>
      new BinaryWriter().tag(2, WireType.LengthDelimited).string(id).finish();
    const bytes = new BinaryWriter()
      .tag(2, WireType.LengthDelimited).bytes(device('d1'))
      .tag(2, WireType.LengthDelimited).bytes(device('d2'))
      .tag(3, WireType.Varint).int32(2)
      .finish();

    const decoded = ListDevicesResponse.decode(bytes);

    expect(decoded.devices.map((d) => d.deviceId)).toEqual(['d1', 'd2']);
    expect(decoded.nextPage).toBe(2);
  });

  it('decodes an UpdateDeviceRequest with a FieldMask and DeviceUpdates', () => {
    const mask = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).string('is_enabled')
      .tag(1, WireType.LengthDelimited).string('cert')
      .finish();
    const update = new BinaryWriter()
      .tag(1, WireType.Varint).bool(true)
      .tag(2, WireType.Varint).bool(false)
      .tag(3, WireType.LengthDelimited).bytes(Buffer.from('der'))
      .finish();
    const bytes = new BinaryWriter()
      .tag(3, WireType.LengthDelimited).string('t')
      .tag(4, WireType.LengthDelimited).string('d')
      .tag(5, WireType.LengthDelimited).bytes(mask)
      .tag(6, WireType.LengthDelimited).bytes(update)
      .finish();

    const decoded = UpdateDeviceRequest.decode(bytes);

    expect(decoded.updateMask).toEqual(['is_enabled', 'cert']);
    expect(decoded.update?.isEnabled).toBe(true);
    expect(Buffer.from(decoded.update?.deviceCertificate ?? []).toString()).toBe('der');
  });

  it('encodes ValidateEnrollmentTokenResponse with tid = 2 and is_valid = 3', () => {
    const bytes = ValidateEnrollmentTokenResponse.encode({ header: undefined, tid: 'tenant-z', isValid: true }).finish();
    const expected = new BinaryWriter()
      .tag(2, WireType.LengthDelimited).string('tenant-z')
      .tag(3, WireType.Varint).bool(true)
      .finish();
    expect(Buffer.from(bytes)).toEqual(Buffer.from(expected));
  });

  it('exposes every DeviceSTS method at the original gRPC paths', () => {
    const paths = Object.values(DeviceSTSService).map((m) => m.path);
    expect(paths.sort()).toEqual(
      [
        'CreateDevice', 'GetDevice', 'ListDevices', 'UpdateDevice', 'DeleteDevice', 'GetSigningKey',
        'CreateEnrollmentToken', 'GetEnrollmentToken', 'DeleteEnrollmentToken', 'ValidateEnrollmentToken',
        'Ping', 'GetAppAuthenticationChallenge', 'AuthenticateApp',
      ].map((m) => `/krypton.dsts.DeviceSTS/${m}`).sort(),
    );
  });
});
