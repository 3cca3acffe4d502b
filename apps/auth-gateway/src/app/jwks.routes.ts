import { type RequestHandler, Router } from 'express';
import type { AuthGatewayDeps } from './deps';

/** The original path and the well-known one. */
const JWKS_PATHS = ['/api/v1/keys', '/.well-known/jwks.json'];

/**
 * The JWKS under the original path and the well-known one, from the keys the
 * store holds (the keys last read while the database is down). Express adds
 * an ETag and answers a matching If-None-Match with 304; max-age stays below
 * the rotation activation delay (checked by the config).
 */
export function jwksRoutes({ keys, config }: AuthGatewayDeps): Router {
  const router = Router();
  const serveJwks: RequestHandler = async (_req, res) => {
    res.setHeader('Cache-Control', `public, max-age=${config.jwks.maxAgeSeconds}`);
    res.json({ keys: await keys.publishedJwks() });
  };
  // One route per path, not one route for both: the route is the request metrics' label, one per path.
  for (const path of JWKS_PATHS) router.get(path, serveJwks);
  return router;
}
