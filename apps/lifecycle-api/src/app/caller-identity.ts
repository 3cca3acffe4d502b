import type { Metadata } from '@grpc/grpc-js';
import { ANONYMOUS, type CallerIdentity } from '@dsts/caller-auth';

export type { CallerIdentity } from '@dsts/caller-auth';

/**
 * Identities by the request metadata object grpc-js hands from the
 * authentication interceptor to the handler. Nothing a client sends can
 * create an entry: only the interceptor does, after checking credentials.
 */
const callers = new WeakMap<Metadata, CallerIdentity>();

/** Called by the authentication interceptor once a caller is admitted. */
export function rememberCaller(metadata: Metadata, identity: CallerIdentity): void {
  callers.set(metadata, identity);
}

/**
 * Who made this call, as the authentication interceptor established it:
 * `certificate` (subject DN) or `app` (app id); `anonymous` for the open
 * operations (Ping, app authentication) and in compatibility mode.
 */
export function callerIdentityOf(call: { metadata: Metadata }): CallerIdentity {
  return callers.get(call.metadata) ?? ANONYMOUS;
}
