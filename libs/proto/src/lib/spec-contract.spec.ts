import path from 'node:path';
import * as protobuf from 'protobufjs';
import * as generated from '../generated/krypton/dsts/dsts';

/**
 * The message list of SPEC.md §6, verbatim. The proto file is checked against
 * it field by field (name, type, number, repeated), and the ts-proto code is
 * checked against the proto for every message by a round trip through an
 * independent protobuf implementation (protobufjs).
 */
const SPEC_MESSAGES = `
DstsRequestHeader  { string protocol_version = 1; string request_id = 2; Timestamp request_time = 3; }
DstsResponseHeader { string protocol_version = 1; uint32 status = 2; string request_id = 3;
                     string status_message = 4; Timestamp response_time = 5; }
PingRequest  { string message = 1; }
PingResponse { string message = 1; Timestamp response_time = 2; }
Device { string tid = 1; string device_id = 2; bool is_enabled = 3; bool is_lost = 4;
         string certificate_thumbprint = 5; Timestamp issued_time = 6; Timestamp expiry_time = 7;
         string management_service = 8; string hardware_hash = 9; }
CreateDeviceRequest  { DstsRequestHeader header = 1; string version = 2; string tid = 3; string device_id = 4;
                       bytes device_certificate = 5; string management_service = 6; string hardware_hash = 7; }
CreateDeviceResponse { DstsResponseHeader header = 1; Timestamp create_time = 2; }
GetDeviceRequest     { DstsRequestHeader header = 1; string version = 2; string tid = 3; string device_id = 4; }
GetDeviceResponse    { DstsResponseHeader header = 1; Device device = 2; }
ListDevicesRequest   { DstsRequestHeader header = 1; string version = 2; string tid = 3; string filter = 4;
                       int32 page_size = 5; int32 page_number = 6; }
ListDevicesResponse  { DstsResponseHeader header = 1; repeated Device devices = 2; int32 next_page = 3; }
DeviceUpdates        { bool is_enabled = 1; bool is_lost = 2; bytes device_certificate = 3; }
UpdateDeviceRequest  { DstsRequestHeader header = 1; string version = 2; string tid = 3; string device_id = 4;
                       FieldMask update_mask = 5; DeviceUpdates update = 6; }
UpdateDeviceResponse { DstsResponseHeader header = 1; Timestamp update_time = 2; }
DeleteDeviceRequest  { DstsRequestHeader header = 1; string version = 2; string tid = 3; string device_id = 4; }
DeleteDeviceResponse { DstsResponseHeader header = 1; Timestamp delete_time = 2; }
JSONWebKey { string kty = 1; string alg = 2; string use = 3; string kid = 4; string n = 5; string e = 6; }
GetSigningKeyRequest  { }
GetSigningKeyResponse { DstsResponseHeader header = 1; repeated JSONWebKey signing_key = 2; }
EnrollmentToken { string token = 1; Timestamp issued_time = 2; Timestamp expiry_time = 3; }
CreateEnrollmentTokenRequest    { DstsRequestHeader header = 1; string version = 2; string tid = 3; int32 token_lifetime_days = 4; }
CreateEnrollmentTokenResponse   { DstsResponseHeader header = 1; EnrollmentToken token = 2; }
GetEnrollmentTokenRequest       { DstsRequestHeader header = 1; string version = 2; string tid = 3; }
GetEnrollmentTokenResponse      { DstsResponseHeader header = 1; EnrollmentToken token = 2; }
DeleteEnrollmentTokenRequest    { DstsRequestHeader header = 1; string version = 2; string tid = 3; }
DeleteEnrollmentTokenResponse   { DstsResponseHeader header = 1; Timestamp delete_time = 2; }
ValidateEnrollmentTokenRequest  { DstsRequestHeader header = 1; string version = 2; string token = 3; }
ValidateEnrollmentTokenResponse { DstsResponseHeader header = 1; string tid = 2; bool is_valid = 3; }
AppAuthenticationChallengeRequest  { DstsRequestHeader header = 1; string version = 2; string app_id = 3; }
AppAuthenticationChallengeResponse { DstsResponseHeader header = 1; string challenge = 2; Timestamp expires_at = 3; }
AppAuthenticationRequest  { DstsRequestHeader header = 1; string version = 2; string app_id = 3;
                            string assertion_type = 4; string assertion = 5; }
AppAuthenticationResponse { DstsResponseHeader header = 1; string access_token = 2; Timestamp expires_at = 3; }
`;
const SPEC_RPCS = [
  'CreateDevice', 'GetDevice', 'ListDevices', 'UpdateDevice', 'DeleteDevice',
  'GetSigningKey', 'CreateEnrollmentToken', 'GetEnrollmentToken', 'DeleteEnrollmentToken',
  'ValidateEnrollmentToken', 'Ping', 'GetAppAuthenticationChallenge', 'AuthenticateApp',
];
const WELL_KNOWN: Record<string, string> = { Timestamp: 'google.protobuf.Timestamp', FieldMask: 'google.protobuf.FieldMask' };

type SpecField = { name: string; type: string; id: number; repeated: boolean };
const specMessages = new Map<string, SpecField[]>(
  [...SPEC_MESSAGES.matchAll(/(\w+)\s*\{([^}]*)\}/g)].map(([, name, body]) => [
    name,
    [...body.matchAll(/(repeated\s+)?([\w.]+)\s+(\w+)\s*=\s*(\d+);/g)].map(([, repeated, type, field, id]) => ({
      name: field,
      type: WELL_KNOWN[type] ?? type,
      id: Number(id),
      repeated: Boolean(repeated),
    })),
  ]),
);

const root = new protobuf.Root().loadSync(path.resolve(__dirname, '../../../../proto/krypton/dsts/dsts.proto'), {
  keepCase: true,
});
root.resolveAll();
const pkg = root.lookup('krypton.dsts') as protobuf.Namespace;

function protoFieldType(field: protobuf.Field): string {
  return field.resolvedType ? field.resolvedType.fullName.replace(/^\.(krypton\.dsts\.)?/, '') : field.type;
}

/** A value for every field, so a wrong number or type cannot round-trip unnoticed. */
function sample(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const one = (): unknown => {
      if (field.resolvedType instanceof protobuf.Type) {
        if (field.resolvedType.fullName === '.google.protobuf.Timestamp') return { seconds: 1_700_000_000 + field.id, nanos: 0 };
        if (field.resolvedType.fullName === '.google.protobuf.FieldMask') return { paths: ['is_enabled', 'cert'] };
        return depth < 3 ? sample(field.resolvedType, depth + 1) : {};
      }
      if (field.type === 'string') return `${field.name}-${field.id}`;
      if (field.type === 'bool') return true;
      if (field.type === 'bytes') return Buffer.from([field.id, 0xff, 0]);
      if (['int32', 'uint32'].includes(field.type)) return 100 + field.id;
      throw new Error(`extend sample() for ${field.type}`);
    };
    value[field.name] = field.repeated ? [one(), one()] : one();
  }
  return value;
}

describe('proto/ against SPEC §6', () => {
  const protoMessages = pkg.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);

  it('declares exactly the messages of the SPEC', () => {
    expect(protoMessages.map((m) => m.name).sort()).toEqual([...specMessages.keys()].sort());
  });

  it.each([...specMessages.entries()])('%s has the SPEC fields, types and numbers', (name, fields) => {
    const message = pkg.lookupType(name);
    const actual = message.fieldsArray.map((f) => ({ name: f.name, type: protoFieldType(f), id: f.id, repeated: f.repeated }));
    expect(actual.sort((a, b) => a.id - b.id)).toEqual([...fields].sort((a, b) => a.id - b.id));
  });

  it('declares the DeviceSTS service with the SPEC RPCs', () => {
    const service = pkg.lookupService('DeviceSTS');
    expect(Object.keys(service.methods).sort()).toEqual([...SPEC_RPCS].sort());
  });
});

describe('ts-proto code against proto/', () => {
  it.each([...specMessages.keys()])('%s round-trips through protobufjs and ts-proto unchanged', (name) => {
    const type = pkg.lookupType(name);
    const codec = (generated as unknown as Record<string, generated.MessageFns<unknown>>)[name];
    const bytes = type.encode(type.fromObject(sample(type))).finish();

    const reencoded = codec.encode(codec.decode(bytes)).finish();

    const options = { longs: Number, bytes: Array, defaults: true };
    expect(type.toObject(type.decode(reencoded), options)).toEqual(type.toObject(type.decode(bytes), options));
  });
});
