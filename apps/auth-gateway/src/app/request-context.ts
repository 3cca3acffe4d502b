import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger, ServiceMetrics } from '@dsts/observability';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

/** Accepted request-id values: printable, bounded, so they are safe to echo and log. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Takes the caller's request id (`request_id`, the original's header, or
 * `X-Request-Id`), or makes one; echoes it under both names; gives the
 * request a child logger; records the request metrics and a debug log line
 * when it finishes.
 */
export function requestContext(logger: Logger, metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('request_id') ?? req.get('x-request-id');
    req.id = offered && REQUEST_ID.test(offered) ? offered : randomUUID();
    req.log = logger.child({ requestId: req.id });
    res.setHeader('request_id', req.id);
    res.setHeader('X-Request-Id', req.id);
    const stopTimer = metrics.requestDuration.startTimer();
    res.on('finish', () => {
      // Route templates, not raw paths, keep label cardinality bounded.
      const labels = { transport: 'http', method: `${req.method} ${req.route?.path ?? 'unmatched'}`, code: String(res.statusCode) };
      metrics.requests.inc(labels);
      const durationSeconds = stopTimer(labels);
      // The route template, not the URL: a path or query string may carry ids or secrets.
      req.log.debug({ route: labels.method, status: res.statusCode, durationSeconds }, 'request completed');
    });
    next();
  };
}
