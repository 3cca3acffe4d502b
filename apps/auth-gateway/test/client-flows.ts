import { randomBytes, X509Certificate } from 'node:crypto';
import { certificateThumbprint } from '@dsts/certificates';
import { createDeviceRepository, type PrismaClient } from '@dsts/db';
import { signClientAssertion, type TestDevice } from '@dsts/testing';
import { JWT_BEARER_ASSERTION_TYPE } from '@dsts/tokens';

export const FORM_UTF8 = 'application/x-www-form-urlencoded; charset=UTF-8';

/** A tenant of its own per test, so tests never see each other's devices. */
export const uniqueTenant = () => `tenant-${randomBytes(4).toString('hex')}`;
export const uniqueId = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

export function certificateFacts(device: TestDevice) {
  const x509 = new X509Certificate(device.certificateDer);
  return { thumbprint: certificateThumbprint(device.certificateDer), issuedAt: new Date(x509.validFrom), expiresAt: new Date(x509.validTo) };
}

/** Registers the test device with its certificate, as the lifecycle API would. */
export async function registerDevice(prisma: PrismaClient, device: TestDevice, managementServiceId = 'none') {
  return createDeviceRepository(prisma).create({
    tenantId: device.tenantId as string,
    deviceId: device.deviceId,
    certificate: certificateFacts(device),
    managementServiceId,
  });
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

export async function call(url: string, init?: RequestInit): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: callers assert on status/text.
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** A /64 of the IPv6 documentation prefix (`2001:db8:x:y`), random enough that no two tests share a rate-limit budget. */
export const uniqueNetwork = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
/** A client address in a /64 of its own: budgets are keyed by an IPv6 client's /64. */
export const uniqueAddress = () => `${uniqueNetwork()}::1`;

/** Request headers of a client at `address`, for a gateway that trusts the loopback proxy (TRUST_PROXY=loopback). */
export const forwardedFor = (address: string): Record<string, string> => ({ 'X-Forwarded-For': address });

export async function challengeFor(baseUrl: string, kind: 'device' | 'app', id: string, headers: Record<string, string> = {}): Promise<string> {
  const parameter = kind === 'device' ? 'device_id' : 'app_id';
  const res = await call(`${baseUrl}/api/v1/${kind}auth/challenge?${parameter}=${encodeURIComponent(id)}`, { headers });
  if (res.status !== 200) throw new Error(`challenge failed: ${res.status} ${res.text}`);
  return res.body['challenge'] as string;
}

export function postForm(url: string, fields: Record<string, string>, contentType = FORM_UTF8, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return call(url, { method: 'POST', headers: { ...headers, 'Content-Type': contentType }, body: new URLSearchParams(fields).toString() });
}

export const postDeviceAssertion = (baseUrl: string, assertion: string, assertionType = JWT_BEARER_ASSERTION_TYPE, headers: Record<string, string> = {}) =>
  postForm(`${baseUrl}/api/v1/deviceauth/token`, { client_assertion_type: assertionType, client_assertion: assertion }, FORM_UTF8, headers);

/** The whole device flow as the original client runs it: challenge, then a fresh assertion. */
export async function authenticateDevice(
  baseUrl: string,
  device: TestDevice,
  certificate: TestDevice = device,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const nonce = await challengeFor(baseUrl, 'device', device.deviceId, headers);
  const assertion = signClientAssertion({
    subject: device.deviceId,
    nonce,
    privateKey: certificate.privateKey,
    certificateDer: certificate.certificateDer,
  });
  return postDeviceAssertion(baseUrl, assertion, JWT_BEARER_ASSERTION_TYPE, headers);
}
