import {
  AppAuthenticationChallengeRequest,
  AppAuthenticationRequest,
  CreateDeviceRequest,
  CreateEnrollmentTokenRequest,
  DeleteDeviceRequest,
  DeleteEnrollmentTokenRequest,
  DeviceSTSService,
  GetDeviceRequest,
  GetEnrollmentTokenRequest,
  GetSigningKeyRequest,
  ListDevicesRequest,
  PingRequest,
  UpdateDeviceRequest,
  ValidateEnrollmentTokenRequest,
} from '@dsts/proto';

type Methods = typeof DeviceSTSService;
/** The DeviceSTS RPCs by their ts-proto method name (`createDevice`, …). */
export type RpcName = keyof Methods;
export type RequestOf<K extends RpcName> = Parameters<Methods[K]['requestSerialize']>[0];
export type ResponseOf<K extends RpcName> = ReturnType<Methods[K]['responseDeserialize']>;
export type DeepPartial<T> = T extends Date | Buffer
  ? T
  : T extends (infer U)[]
    ? DeepPartial<U>[]
    : T extends object
      ? { [P in keyof T]?: DeepPartial<T[P]> }
      : T;

/** The request message of every RPC, to build a full message from a partial one (proto3 defaults). */
export const REQUEST_TYPES: { [K in RpcName]: { fromPartial(object: never): RequestOf<K> } } = {
  createDevice: CreateDeviceRequest,
  getDevice: GetDeviceRequest,
  listDevices: ListDevicesRequest,
  updateDevice: UpdateDeviceRequest,
  deleteDevice: DeleteDeviceRequest,
  getSigningKey: GetSigningKeyRequest,
  createEnrollmentToken: CreateEnrollmentTokenRequest,
  getEnrollmentToken: GetEnrollmentTokenRequest,
  deleteEnrollmentToken: DeleteEnrollmentTokenRequest,
  validateEnrollmentToken: ValidateEnrollmentTokenRequest,
  ping: PingRequest,
  getAppAuthenticationChallenge: AppAuthenticationChallengeRequest,
  authenticateApp: AppAuthenticationRequest,
};
