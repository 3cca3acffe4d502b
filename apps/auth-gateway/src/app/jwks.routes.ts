import { Router } from 'express';
import type { AuthGatewayDeps } from './deps';

/**
 * The JWKS under the original path and the well-known one. Express adds an
 * ETag and answers a matching If-None-Match with 304; max-age stays below the
 * rotation activation delay (checked by the config).
 */
export function jwksRoutes({ keys, config }: AuthGatewayDeps): Router {
  const router = Router();
  router.get(['/api/v1/keys', '/.well-known/jwks.json'], async (_req, res) => {
    res.setHeader('Cache-Control', `public, max-age=${config.jwks.maxAgeSeconds}`);
    res.json({ keys: await keys.publishedJwks() });
  });
  return router;
}
