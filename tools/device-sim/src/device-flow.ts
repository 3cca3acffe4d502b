import { type DecodedJws, type Jwks, JWT_BEARER_ASSERTION_TYPE, LifecycleCallError, type LifecycleClient, signClientAssertion, verifyWithJwks } from '@dsts/client';
import type { DeviceIdentity } from './dev-ca';

const ALREADY_EXISTS = 6;

/** Registers the device through the lifecycle-api (CreateDevice); a device registered by an earlier run is fine. */
export async function registerDevice(client: LifecycleClient, device: DeviceIdentity): Promise<void> {
  try {
    await client.call('createDevice', { tid: device.tenantId, deviceId: device.deviceId, deviceCertificate: device.certificateDer });
  } catch (error) {
    if (!(error instanceof LifecycleCallError && error.status === ALREADY_EXISTS && device.reused)) throw error;
  }
}

/** `fetch` whose network failures name the step, the URL and the cause (fetch says only "fetch failed"). */
async function call(step: string, url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${step}: cannot reach ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}

async function json(response: Response, step: string): Promise<Record<string, unknown>> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${step}: HTTP ${response.status} ${String(body['message'] ?? '')}`.trimEnd());
  return body;
}

/** SPEC §3: challenge, then an RS512 client assertion with x5c; resolves with the access token. */
export async function authenticateDevice(gatewayUrl: string, device: DeviceIdentity): Promise<string> {
  const challenge = await json(await call('challenge', `${gatewayUrl}/api/v1/deviceauth/challenge?device_id=${encodeURIComponent(device.deviceId)}`), 'challenge');
  const assertion = signClientAssertion({
    subject: device.deviceId,
    nonce: String(challenge['challenge']),
    privateKey: device.privateKey,
    certificateDer: device.certificateDer,
  });
  const token = await json(
    await call('token', `${gatewayUrl}/api/v1/deviceauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion }),
    }),
    'token',
  );
  return String(token['access_token']);
}

export const fetchJwks = async (gatewayUrl: string) => (await json(await call('jwks', `${gatewayUrl}/api/v1/keys`), 'jwks')) as unknown as Jwks;

/** Verifies the token with the JWKS (node:crypto) and checks it was issued to this device. */
export function verifyDeviceToken(token: string, jwks: Jwks, device: DeviceIdentity): DecodedJws {
  const decoded = verifyWithJwks(token, jwks);
  const { sub, tid, typ } = decoded.claims;
  if (sub !== device.deviceId || tid !== device.tenantId || typ !== 'device') {
    throw new Error(`token claims sub=${String(sub)} tid=${String(tid)} typ=${String(typ)} are not this device's`);
  }
  return decoded;
}
