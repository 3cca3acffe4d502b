import { randomUUID } from 'node:crypto';
import { type ServerInterceptor, ServerInterceptingCall, status as GrpcStatus } from '@grpc/grpc-js';
import { ANONYMOUS, type CallerAuthenticator, PermissionDeniedError } from '@dsts/caller-auth';
import { DstsError, isDstsError } from '@dsts/errors';
import { failureOutcome } from '@dsts/observability';
import { peerAddress } from './audit';
import type { LifecycleApiDeps } from './deps';
import { rememberCaller } from './caller-identity';
import { toGrpcStatus } from './header-status.mapper';
import { OPEN, requirementOf } from './rpc-permissions';

export interface CallerAuthenticationDeps extends Pick<LifecycleApiDeps, 'logger' | 'metrics' | 'audit'> {
  authenticator: CallerAuthenticator;
}

const AUTHORIZATION = 'authorization';

/**
 * Admits every call before its handler runs: open operations (RPC_PERMISSIONS,
 * health, reflection) as they are; everything else only for a caller whose
 * bearer token or TLS-verified client certificate carries the operation's
 * permission. Refusals are real gRPC statuses (UNAUTHENTICATED,
 * PERMISSION_DENIED) with fixed messages; the reason goes to the log only,
 * and each refusal is an audit line (who, when the certificate or token was
 * valid; the request id is fresh: the request body is not read yet).
 * The bearer token never reaches a handler: the `authorization` metadata is
 * removed, and the identity is kept for `callerIdentityOf`.
 */
export function callerAuthenticationInterceptor({ authenticator, logger, metrics, audit }: CallerAuthenticationDeps): ServerInterceptor {
  return (methodDescriptor, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, proceed) => {
            const authorization = metadata.get(AUTHORIZATION).map(String);
            metadata.remove(AUTHORIZATION);
            const requirement = requirementOf(methodDescriptor.path);
            if (requirement === OPEN) return proceed(metadata);
            const method = methodDescriptor.path.split('/').pop() ?? methodDescriptor.path;
            const admitted = requirement
              ? authenticator.admit({ verifiedCertificate: call.getAuthContext().sslPeerCertificate?.raw, authorization }, requirement)
              : Promise.reject(new DstsError('PERMISSION_DENIED', 'permission denied', { cause: new Error('method has no permission entry') }));
            admitted.then(
              (identity) => {
                rememberCaller(metadata, identity);
                proceed(metadata);
              },
              (error: unknown) => {
                const { code, message } = toGrpcStatus(error);
                metrics.requests.inc({ transport: 'grpc', method, code: GrpcStatus[code] });
                const reason = isDstsError(error) ? (error.cause as Error | undefined)?.message : undefined;
                if (code === GrpcStatus.INTERNAL) logger.error({ err: error, method }, 'caller authentication failed');
                else {
                  logger.warn({ method, code: GrpcStatus[code], reason, peer: call.getPeer() }, 'call refused');
                  audit.record({
                    operation: method,
                    actor: error instanceof PermissionDeniedError ? error.identity : ANONYMOUS,
                    ...failureOutcome(error),
                    requestId: randomUUID(),
                    clientIp: peerAddress(call.getPeer()),
                  });
                }
                call.sendStatus({ code, details: message });
              },
            );
          },
        }),
    });
}
