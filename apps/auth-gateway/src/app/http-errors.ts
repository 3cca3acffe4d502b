import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DstsError, type ErrorKind, isDstsError, publicMessage } from '@dsts/errors';

/** The one place where domain error kinds become HTTP statuses. */
const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  gone: 410,
  already_exists: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  overloaded: 429,
  internal: 500,
};

/**
 * Body-parser and other http-errors style exceptions carry `status`/`type`.
 * Every client error they report is the client's fault: never a 500.
 */
function fromExpressError(error: { status?: number; type?: string }): DstsError | undefined {
  if (error.type === 'entity.too.large') return new DstsError('PAYLOAD_TOO_LARGE', 'request body too large');
  if (error.type === 'parameters.too.many') return new DstsError('PAYLOAD_TOO_LARGE', 'too many form parameters');
  if (error.status === 415) return new DstsError('UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
  if (error.status !== undefined && error.status >= 400 && error.status < 500) {
    return new DstsError('INVALID_REQUEST', 'malformed request body');
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = () => {
  throw new DstsError('NOT_FOUND', 'no such endpoint');
};

// Express recognises an error handler by its four parameters, so `_next` must stay.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const domain = isDstsError(error) ? error : fromExpressError(error ?? {});
  const status = domain ? HTTP_STATUS[domain.kind] : 500;
  if (status >= 500) {
    req.log.error({ err: error }, 'request failed');
  } else if (domain?.code === 'DEPENDENCY_UNAVAILABLE') {
    req.log.warn({ status, code: domain.code, cause: (domain.cause as Error | undefined)?.message }, 'dependency unavailable');
  } else {
    // The code says why without the request's content (assertions stay out of logs).
    req.log.info({ status, code: domain?.code }, 'request refused');
  }
  if (domain?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(domain.retryAfterSeconds));
  res.status(status).json({ code: status, message: publicMessage(domain ?? error) });
};
