import { type ServerInterceptingCallInterface, type ServerInterceptor, ServerInterceptingCall, status as GrpcStatus } from '@grpc/grpc-js';
import { type CallerAuthenticator, refusedCaller } from '@dsts/caller-auth';
import { DstsError, isDstsError } from '@dsts/errors';
import { failureOutcome } from '@dsts/observability';
import { peerAddress, refusedRequestFacts } from './audit';
import type { LifecycleApiDeps } from './deps';
import { rememberCaller } from './caller-identity';
import { toGrpcStatus } from './header-status.mapper';
import { OPEN, requirementOf } from './rpc-permissions';

export interface CallerAuthenticationDeps extends Pick<LifecycleApiDeps, 'logger' | 'metrics' | 'audit'> {
  authenticator: CallerAuthenticator;
}

const AUTHORIZATION = 'authorization';

/** No request message arrived before the client half-closed: nothing to read ids from. */
const NO_REQUEST = undefined;

/**
 * How long a refused call waits for its request message (to label the refusal
 * with it) before it is refused without: a client that sends metadata and
 * nothing else must not hold a stream, and the memory behind it, for ever.
 */
export const REFUSED_CALL_MESSAGE_WAIT_MS = 5_000;

/**
 * Admits every call before its handler runs: open operations (RPC_PERMISSIONS,
 * health, reflection) as they are; everything else only for a caller whose
 * bearer token or TLS-verified client certificate carries the operation's
 * permission. The bearer token never reaches a handler: the `authorization`
 * metadata is removed, and the identity is kept for `callerIdentityOf`.
 *
 * Credentials are checked as soon as the metadata arrives, but the verdict is
 * applied when the request message does: the handler gets the message only
 * once the caller is admitted, and a refusal can be labelled with what the
 * request says about itself (request id, tenant, device). An unauthenticated
 * caller can thus make the service decode one message — no more than the
 * open operations (Ping, AuthenticateApp) already allow, within
 * GRPC_MAX_RECEIVE_MESSAGE_BYTES. A refused call whose message has not come
 * REFUSED_CALL_MESSAGE_WAIT_MS after its metadata is refused without it.
 *
 * Refusals are real gRPC statuses (UNAUTHENTICATED, PERMISSION_DENIED) with
 * fixed messages; each is an audit line with its reason code, and a `call
 * refused` warning with the reason in words. A dependency failing during the
 * check (the app table while PostgreSQL is down) is no refusal: it is
 * answered as every RPC answers an outage (RESOURCE_EXHAUSTED, "retry
 * later") and logged as an error, without an audit line. A call the client
 * cancels (or whose connection drops) before it is admitted or refused was
 * never a complete request: it is counted (`dsts_requests_total`, code
 * CANCELLED) and logged at debug level, neither audited nor warned about —
 * a dropped connection with thousands of pending streams would otherwise
 * flood both.
 */
export function callerAuthenticationInterceptor({ authenticator, logger, metrics, audit }: CallerAuthenticationDeps): ServerInterceptor {
  return (methodDescriptor, call) => {
    const requirement = requirementOf(methodDescriptor.path);
    const method = methodDescriptor.path.split('/').pop() ?? methodDescriptor.path;
    if (requirement === OPEN) {
      return new ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (metadata, proceed) => {
              metadata.remove(AUTHORIZATION);
              proceed(metadata);
            },
          }),
      });
    }
    /** Settles with the failure to answer, or undefined once the caller is admitted (and remembered). */
    let verdict: Promise<unknown> = Promise.resolve(undefined);
    /** A refused call has been answered, or found cancelled: nothing more to do for it. */
    let answered = false;
    let cancelled = false;
    let requestArrived = false;
    let messageWait: NodeJS.Timeout | undefined;
    /** Passes the request on when the caller is admitted; answers the call itself otherwise (once). */
    const whenDecided = (request: unknown, passOn: () => void) => {
      void verdict.then((failure) => {
        if (failure === undefined) return passOn();
        // A dropped connection ends each pending stream (half-close) just before cancelling it: let the cancel come first.
        setImmediate(() => {
          if (answered || cancelled) return;
          answered = true;
          refuse({ call, method, failure, request, logger, metrics, audit });
        });
      });
    };
    const requestComes = () => {
      requestArrived = true;
      clearTimeout(messageWait);
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, proceed) => {
            // One value at most: Node's HTTP/2 keeps the first `authorization` of a request.
            const [value] = metadata.get(AUTHORIZATION);
            const authorization = value === undefined ? undefined : String(value);
            metadata.remove(AUTHORIZATION);
            const admitted = requirement
              ? authenticator.admit({ verifiedCertificate: call.getAuthContext().sslPeerCertificate?.raw, authorization }, requirement)
              : Promise.reject(
                  new DstsError('PERMISSION_DENIED', 'permission denied', { reason: 'OPERATION_NOT_LISTED', cause: new Error('method has no permission entry') }),
                );
            verdict = admitted.then(
              (identity) => {
                rememberCaller(metadata, identity);
                return undefined;
              },
              (error: unknown) => error ?? new Error('caller authentication failed without a reason'),
            );
            void verdict.then((failure) => {
              if (failure === undefined || requestArrived || cancelled) return;
              messageWait = setTimeout(() => whenDecided(NO_REQUEST, () => undefined), REFUSED_CALL_MESSAGE_WAIT_MS);
            });
            // The handler starts reading only after the metadata: messages reach it through whenDecided.
            proceed(metadata);
          },
          onReceiveMessage: (message, next) => {
            requestComes();
            whenDecided(message, () => next(message));
          },
          onReceiveHalfClose: (next) => {
            requestComes();
            whenDecided(NO_REQUEST, next);
          },
          onCancel: () => {
            cancelled = true;
            clearTimeout(messageWait);
            void verdict.then((failure) => {
              if (failure === undefined || answered) return;
              answered = true;
              metrics.requests.inc({ transport: 'grpc', method, code: GrpcStatus[GrpcStatus.CANCELLED] });
              logger.debug({ method, peer: call.getPeer() }, 'call cancelled by the client before it was admitted');
            });
          },
        }),
    });
  };
}

interface Refusal extends Omit<CallerAuthenticationDeps, 'authenticator'> {
  call: ServerInterceptingCallInterface;
  method: string;
  failure: unknown;
  request: unknown;
}

/** Answers a call that was not admitted, and records why: an audit line for a refusal, an error log line for anything else. */
function refuse({ call, method, failure, request, logger, metrics, audit }: Refusal): void {
  const { code, message } = toGrpcStatus(failure);
  metrics.requests.inc({ transport: 'grpc', method, code: GrpcStatus[code] });
  const facts = refusedRequestFacts(request);
  const refused = isDstsError(failure) && (failure.kind === 'unauthenticated' || failure.kind === 'permission_denied');
  if (refused) {
    const reason = (failure.cause as Error | undefined)?.message;
    logger.warn({ method, code: GrpcStatus[code], reason, requestId: facts.requestId, peer: call.getPeer() }, 'call refused');
    audit.record({
      operation: method,
      actor: refusedCaller(failure),
      ...facts,
      ...failureOutcome(failure),
      clientIp: peerAddress(call.getPeer()),
    });
  } else if (isDstsError(failure) && failure.kind === 'overloaded') {
    logger.error(
      { code: failure.code, method, requestId: facts.requestId, cause: (failure.cause as Error | undefined)?.message },
      'dependency unavailable',
    );
  } else {
    logger.error({ err: failure, method, requestId: facts.requestId }, 'caller authentication failed');
  }
  call.sendStatus({ code, details: message });
}
