import type { ServiceDefinition } from '@grpc/grpc-js';

const MALFORMED = Symbol('malformed request');

/** Stands in for a request whose bytes did not decode as its protobuf message. */
interface MalformedRequest {
  [MALFORMED]: true;
}

export function isMalformedRequest(request: unknown): boolean {
  return typeof request === 'object' && request !== null && MALFORMED in request;
}

/**
 * The service definition with deserializers that never throw. grpc-js answers
 * a throwing deserializer with INTERNAL before any handler runs; this way an
 * undecodable request reaches the unary wrapper, which answers it like any
 * other bad input (InvalidArgument, in `header.status` where there is one).
 */
export function withTolerantDeserializers<S extends ServiceDefinition>(service: S): S {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes);
          } catch {
            return { [MALFORMED]: true } satisfies MalformedRequest;
          }
        },
      },
    ]),
  ) as S;
}
