import { Server, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { DeviceSTSService, type DeviceSTSServer } from '@dsts/proto';
import type { LifecycleApiDeps } from './deps';
import { ping } from './ping.rpc';
import { plainUnary } from './unary';

export const DEVICE_STS_SERVICE_NAME = 'krypton.dsts.DeviceSTS';

export interface LifecycleGrpcServer {
  server: Server;
  health: HealthImplementation;
}

/** Builds the gRPC server (not bound): DeviceSTS plus the standard health service. */
export function createGrpcServer(deps: LifecycleApiDeps): LifecycleGrpcServer {
  const server = new Server();
  const implementation: Partial<DeviceSTSServer> = {
    ping: plainUnary(deps, 'Ping', ping(deps.clock)),
  };
  server.addService(DeviceSTSService, implementation as UntypedServiceImplementation);

  const health = new HealthImplementation({ '': 'SERVING', [DEVICE_STS_SERVICE_NAME]: 'SERVING' });
  health.addToServer(server);
  return { server, health };
}
