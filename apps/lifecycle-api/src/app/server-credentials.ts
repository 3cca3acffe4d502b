import { experimental, ServerCredentials } from '@grpc/grpc-js';
import type { CallerAccess, ServerTls } from '@dsts/caller-auth';

/** Hands grpc-js the TLS material read at start (rotating it takes a restart). */
function fixedCertificates({ certificateChain, privateKey, clientCa }: ServerTls): experimental.CertificateProvider {
  return {
    // grpc-js registers its watcher after adding listeners, so updates are delivered on the next tick (as its own providers do).
    addCaCertificateListener: (listener) => process.nextTick(listener, clientCa ? { caCertificate: clientCa } : null),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) => process.nextTick(listener, { certificate: certificateChain, privateKey }),
    removeIdentityCertificateListener: () => undefined,
  };
}

/**
 * Credentials of the DeviceSTS port. With authentication required: TLS, and
 * with an admin CA the handshake asks for a client certificate without
 * insisting on one — callers without a certificate (bearer tokens, probes,
 * app authentication) still connect, a certificate that does not chain to
 * the admin CA (or whose extendedKeyUsage lacks clientAuth; no EKU at all
 * means any purpose, RFC 5280) is simply not trusted, and the authentication interceptor
 * decides per operation with a real gRPC status instead of a failed
 * handshake. Compatibility mode: plaintext.
 */
export function serverCredentials(access: CallerAccess): ServerCredentials {
  if (access.mode === 'insecure-compat') return ServerCredentials.createInsecure();
  const certificates = fixedCertificates(access.tls);
  // Identity provider first, then the CA provider (null: no client certificates are requested) — what
  // grpc-js's implementation does, although its declaration names the two the other way round.
  return experimental.createCertificateProviderServerCredentials(certificates, access.tls.clientCa ? certificates : null, false);
}
