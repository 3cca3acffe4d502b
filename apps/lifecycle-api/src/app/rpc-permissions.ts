import type { Permission } from '@dsts/config';
import { DeviceSTSService } from '@dsts/proto';
import { REFLECTION_SERVICES } from './reflection';

/** Operations anyone may call: probes need them, and apps need them to get a token at all. */
export const OPEN = 'open';

/**
 * The permission each DeviceSTS operation needs: exactly one, in this one
 * table (the compiler insists on every RPC). App authentication stays open —
 * the assertion signed with the app's registered key is the credential, as
 * on the public REST endpoint.
 */
export const RPC_PERMISSIONS: { [K in keyof typeof DeviceSTSService]: Permission | typeof OPEN } = {
  ping: OPEN,
  getAppAuthenticationChallenge: OPEN,
  authenticateApp: OPEN,
  createDevice: 'devices:write',
  getDevice: 'devices:read',
  listDevices: 'devices:read',
  updateDevice: 'devices:write',
  deleteDevice: 'devices:write',
  getSigningKey: 'keys:read',
  createEnrollmentToken: 'enrollment:write',
  getEnrollmentToken: 'enrollment:read',
  deleteEnrollmentToken: 'enrollment:write',
  validateEnrollmentToken: 'enrollment:validate',
};

/** Whole services that stay open: health (probes) and reflection (the schema is public anyway). */
const OPEN_SERVICES = ['grpc.health.v1.Health', ...REFLECTION_SERVICES];

const byPath = new Map<string, Permission | typeof OPEN>(
  Object.entries(RPC_PERMISSIONS).map(([name, requirement]) => [DeviceSTSService[name as keyof typeof DeviceSTSService].path, requirement]),
);

/** What a call to `path` (`/package.Service/Method`) needs; undefined for a method nobody may call. */
export function requirementOf(path: string): Permission | typeof OPEN | undefined {
  const service = path.split('/')[1];
  return OPEN_SERVICES.includes(service) ? OPEN : byPath.get(path);
}
