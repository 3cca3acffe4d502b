import { type ServerInterceptor, ServerInterceptingCall, status as GrpcStatus } from '@grpc/grpc-js';
import type { LifecycleApiDeps } from './deps';

/**
 * How long any call waits for its request message after its metadata. Longer
 * than the caller authentication's wait for a refused call, so a refusal is
 * still answered (and audited) as such.
 */
export const REQUEST_MESSAGE_WAIT_MS = 10_000;

/**
 * Ends a call whose request message has not arrived REQUEST_MESSAGE_WAIT_MS
 * after its metadata with DEADLINE_EXCEEDED. Every operation here is unary: a
 * client sends its message right after the metadata, and one that never does
 * must not hold a stream (and the memory behind it) for ever — grpc-js waits
 * without limit, also for open operations and in compatibility mode.
 * First in the interceptor chain, so it sees every status the others send.
 */
export function requestMessageWaitInterceptor({ logger, metrics }: Pick<LifecycleApiDeps, 'logger' | 'metrics'>): ServerInterceptor {
  return (methodDescriptor, call) => {
    const method = methodDescriptor.path.split('/').pop() ?? methodDescriptor.path;
    let wait: NodeJS.Timeout | undefined;
    const stopWaiting = () => clearTimeout(wait);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, proceed) => {
            wait = setTimeout(() => {
              metrics.requests.inc({ transport: 'grpc', method, code: GrpcStatus[GrpcStatus.DEADLINE_EXCEEDED] });
              logger.debug({ method, peer: call.getPeer() }, 'call ended: its request message did not come');
              call.sendStatus({ code: GrpcStatus.DEADLINE_EXCEEDED, details: 'request message not received in time' });
            }, REQUEST_MESSAGE_WAIT_MS);
            proceed(metadata);
          },
          onReceiveMessage: (message, proceed) => {
            stopWaiting();
            proceed(message);
          },
          onReceiveHalfClose: (proceed) => {
            stopWaiting();
            proceed();
          },
          onCancel: stopWaiting,
        }),
      sendStatus: (status, proceed) => {
        stopWaiting();
        proceed(status);
      },
    });
  };
}
