import express, { type Express } from 'express';
import type { AuthGatewayDeps } from './deps';
import { healthRoutes } from './health.routes';
import { errorHandler, notFoundHandler } from './http-errors';
import { requestContext } from './request-context';

/** The REST app, not listening: main.ts and tests decide where it listens. */
export function createApp(deps: AuthGatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestContext(deps.logger, deps.metrics));
  app.use(healthRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
