import { type RequestHandler, Router } from 'express';
import type { IssuedChallenge } from '@dsts/cache';
import type { IssuedToken } from '@dsts/tokens';
import type { AuthGatewayDeps } from './deps';
import { formBody, stringParameter } from './form-body';
import { failureLimited, rateLimit } from './rate-limit';

const challengeBody = ({ challenge, expiresAt }: IssuedChallenge) => ({ challenge, expires_at: expiresAt.toISOString() });
const tokenBody = ({ accessToken, expiresAt }: IssuedToken) => ({ access_token: accessToken, expires_at: expiresAt.toISOString() });
const assertionOf = (body: unknown) => ({
  assertionType: stringParameter(body, 'client_assertion_type'),
  assertion: stringParameter(body, 'client_assertion'),
});

/** Device and app challenge → token flows (SPEC §3). */
export function clientAuthRoutes({ devices, apps, budgets, audit }: AuthGatewayDeps): Router {
  const router = Router();
  const limited = rateLimit(budgets);
  const guarded = failureLimited(budgets, audit);
  // Tokens must never be cached by intermediaries (RFC 6749 §5.1).
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  router.use(['/api/v1/deviceauth', '/api/v1/appauth'], noStore);

  router.get('/api/v1/deviceauth/challenge', limited, async (req, res) => {
    res.json(challengeBody(await devices.issueChallenge(stringParameter(req.query, 'device_id'))));
  });
  router.post('/api/v1/deviceauth/token', limited, formBody, async (req, res) => {
    res.json(tokenBody(await guarded(req, 'device', (attempt) => devices.authenticate(assertionOf(req.body), attempt))));
  });
  router.get('/api/v1/appauth/challenge', limited, async (req, res) => {
    res.json(challengeBody(await apps.issueChallenge(stringParameter(req.query, 'app_id'))));
  });
  router.post('/api/v1/appauth/token', limited, formBody, async (req, res) => {
    const request = { appId: stringParameter(req.body, 'app_id'), ...assertionOf(req.body) };
    res.json(tokenBody(await guarded(req, 'app', (attempt) => apps.authenticate(request, attempt))));
  });
  return router;
}
