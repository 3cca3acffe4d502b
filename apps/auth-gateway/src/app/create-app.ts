import express, { type Express } from 'express';
import { clientAuthRoutes } from './client-auth.routes';
import type { AuthGatewayDeps } from './deps';
import { healthRoutes } from './health.routes';
import { errorHandler, notFoundHandler } from './http-errors';
import { jwksRoutes } from './jwks.routes';
import { OPENAPI_DOCUMENT } from './openapi';
import { requestContext } from './request-context';

/** The REST app, not listening: main.ts and tests decide where it listens. */
export function createApp(deps: AuthGatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Only configured proxies may name the client in X-Forwarded-For; anyone else could pick their address.
  app.set('trust proxy', deps.config.rest.trustProxy);
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(healthRoutes(deps));
  app.use(jwksRoutes(deps));
  app.use(clientAuthRoutes(deps));
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(OPENAPI_DOCUMENT);
  });
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
