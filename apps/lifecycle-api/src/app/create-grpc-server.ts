import { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { createDeviceCache } from '@dsts/cache';
import { createAuditRepository, createDeviceRepository, createEnrollmentTokenRepository } from '@dsts/db';
import {
  AppAuthenticationChallengeResponse,
  AppAuthenticationResponse,
  CreateDeviceResponse,
  CreateEnrollmentTokenResponse,
  DeleteDeviceResponse,
  DeleteEnrollmentTokenResponse,
  DeviceSTSService,
  type DeviceSTSServer,
  GetDeviceResponse,
  GetEnrollmentTokenResponse,
  GetSigningKeyResponse,
  ListDevicesResponse,
  UpdateDeviceResponse,
  ValidateEnrollmentTokenResponse,
} from '@dsts/proto';
import { AUDITED } from './audit';
import { authenticateApp } from './authenticate-app.rpc';
import { requestMessageWaitInterceptor } from './request-message-wait.interceptor';
import { callerAuthenticationInterceptor } from './caller-authentication.interceptor';
import { createDevice } from './create-device.rpc';
import { createEnrollmentToken } from './create-enrollment-token.rpc';
import { deleteDevice } from './delete-device.rpc';
import { deleteEnrollmentToken } from './delete-enrollment-token.rpc';
import type { LifecycleApiDeps, RpcDeps } from './deps';
import { getAppAuthenticationChallenge } from './get-app-authentication-challenge.rpc';
import { getDevice } from './get-device.rpc';
import { getEnrollmentToken } from './get-enrollment-token.rpc';
import { getSigningKey } from './get-signing-key.rpc';
import { listDevices } from './list-devices.rpc';
import { withTolerantDeserializers } from './malformed-request';
import { ping } from './ping.rpc';
import { addReflection } from './reflection';
import { headerUnary, plainUnary } from './unary';
import { updateDevice } from './update-device.rpc';
import { validateEnrollmentToken } from './validate-enrollment-token.rpc';

export const DEVICE_STS_SERVICE_NAME = 'krypton.dsts.DeviceSTS';

/**
 * Connections that hold resources without use are closed: one without any
 * call for 5 minutes (clients reconnect when they next call), and one whose
 * peer does not answer a keepalive ping within 20 s (sent after 2 minutes
 * without traffic), which frees the streams of a client that vanished
 * without closing its connection. grpc-js leaves both unlimited by default.
 */
const CONNECTION_UPKEEP = {
  'grpc.max_connection_idle_ms': 5 * 60_000,
  'grpc.keepalive_time_ms': 2 * 60_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

export interface LifecycleGrpcServer {
  server: Server;
  health: HealthImplementation;
  /** Only grpc.health.v1, same statuses, for probes that cannot do TLS (GRPC_HEALTH_PORT). */
  healthServer: Server | undefined;
}

/**
 * Builds the gRPC server (not bound): DeviceSTS, the standard health service
 * and server reflection, every call admitted by the caller authentication
 * interceptor (unless in compatibility mode), every RPC through
 * `headerUnary`/`plainUnary`; the state-changing ones and AuthenticateApp are
 * audited (`AUDITED`); the open app authentication RPCs answer to the
 * auth-gateway's rate limits (`perAddressBudget`, and AuthenticateApp's
 * failure budget).
 */
export function createGrpcServer(deps: LifecycleApiDeps): LifecycleGrpcServer {
  const rpc: RpcDeps = {
    ...deps,
    devices: createDeviceRepository(deps.prisma),
    enrollmentTokens: createEnrollmentTokenRepository(deps.prisma),
    auditEvents: createAuditRepository(deps.prisma),
    deviceCache: createDeviceCache(deps.cache, deps.config.devices.cacheTtlSeconds),
  };
  const server = new Server({
    'grpc.max_receive_message_length': deps.config.grpc.maxReceiveMessageBytes,
    'grpc.max_concurrent_streams': deps.config.grpc.maxConcurrentStreams,
    ...CONNECTION_UPKEEP,
    // The first interceptor is nearest the transport (grpc-js chains them in order).
    interceptors: [
      requestMessageWaitInterceptor(deps),
      ...(deps.callers === 'insecure-compat' ? [] : [callerAuthenticationInterceptor({ ...deps, authenticator: deps.callers })]),
    ],
  });
  const implementation: DeviceSTSServer = {
    ping: plainUnary(deps, 'Ping', ping(deps.clock)),
    createDevice: headerUnary(rpc, 'CreateDevice', createDevice(rpc), CreateDeviceResponse.create, { audit: AUDITED.deviceChange }),
    getDevice: headerUnary(rpc, 'GetDevice', getDevice(rpc), GetDeviceResponse.create),
    listDevices: headerUnary(rpc, 'ListDevices', listDevices(rpc), ListDevicesResponse.create),
    updateDevice: headerUnary(rpc, 'UpdateDevice', updateDevice(rpc), UpdateDeviceResponse.create, { audit: AUDITED.deviceChange }),
    deleteDevice: headerUnary(rpc, 'DeleteDevice', deleteDevice(rpc), DeleteDeviceResponse.create, { audit: AUDITED.deviceChange }),
    createEnrollmentToken: headerUnary(rpc, 'CreateEnrollmentToken', createEnrollmentToken(rpc), CreateEnrollmentTokenResponse.create, {
      audit: AUDITED.tenantChange,
    }),
    getEnrollmentToken: headerUnary(rpc, 'GetEnrollmentToken', getEnrollmentToken(rpc), GetEnrollmentTokenResponse.create),
    deleteEnrollmentToken: headerUnary(rpc, 'DeleteEnrollmentToken', deleteEnrollmentToken(rpc), DeleteEnrollmentTokenResponse.create, {
      audit: AUDITED.tenantChange,
    }),
    validateEnrollmentToken: headerUnary(
      rpc,
      'ValidateEnrollmentToken',
      validateEnrollmentToken(rpc),
      ValidateEnrollmentTokenResponse.create,
      { audit: AUDITED.enrollmentTokenValidation },
    ),
    // SPEC §6: GetSigningKeyRequest has no header, so there is no protocol_version to require.
    getSigningKey: headerUnary(rpc, 'GetSigningKey', getSigningKey(rpc), GetSigningKeyResponse.create, { requireHeader: false }),
    getAppAuthenticationChallenge: headerUnary(
      rpc,
      'GetAppAuthenticationChallenge',
      getAppAuthenticationChallenge(rpc),
      AppAuthenticationChallengeResponse.create,
      { perAddressBudget: true },
    ),
    authenticateApp: headerUnary(rpc, 'AuthenticateApp', authenticateApp(rpc), AppAuthenticationResponse.create, {
      audit: AUDITED.appAuthentication,
      perAddressBudget: true,
    }),
  };
  server.addService(withTolerantDeserializers(DeviceSTSService), implementation);

  const health = new HealthImplementation({ '': 'SERVING', [DEVICE_STS_SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  addReflection(server);
  let healthServer: Server | undefined;
  if (deps.config.grpc.healthPort !== undefined) {
    healthServer = new Server();
    health.addToServer(healthServer);
  }
  return { server, health, healthServer };
}
