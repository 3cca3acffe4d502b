import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';

export const DSTS_PROTO_FILE = 'krypton/dsts/dsts.proto';

/**
 * Where `proto/` is: the app's build copies it next to `main.js`; from source
 * it is at the workspace root.
 */
export function protoRoot(): string {
  const bundled = path.join(__dirname, 'proto');
  return existsSync(bundled) ? bundled : path.resolve(__dirname, '../../../../proto');
}

/**
 * Adds gRPC server reflection (v1 and v1alpha) describing DeviceSTS and the
 * health service, so grpcurl-style tools work without the proto files.
 */
export function addReflection(server: Server): void {
  const definition = loadSync([DSTS_PROTO_FILE, healthProtoPath], { includeDirs: [protoRoot()], keepCase: true });
  new ReflectionService(definition).addToServer(server);
}
