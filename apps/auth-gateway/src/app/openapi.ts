const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
const form = (required: string[]) => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: {
        type: 'object',
        required,
        properties: Object.fromEntries(required.map((name) => [name, { type: 'string' }])),
      },
    },
  },
});
const tokenResponses = {
  '200': { description: 'access token', content: json('Token') },
  '400': errorResponse('wrong client_assertion_type, empty assertion, invalid certificate'),
  '401': errorResponse('expired / not yet valid / badly signed assertion, blocked device, wrong certificate, missing challenge, wrong nonce'),
  '404': errorResponse('unknown device'),
  '410': errorResponse('deleted device'),
  '413': errorResponse('body too large'),
  '415': errorResponse('not application/x-www-form-urlencoded'),
  '429': errorResponse('rate limited or overloaded; see Retry-After'),
};
const challenge = (parameter: string) => ({
  parameters: [{ name: parameter, in: 'query', required: true, schema: { type: 'string', maxLength: 128 } }],
  responses: { '200': { description: 'challenge, valid 60 s, single use', content: json('Challenge') }, '400': errorResponse(`missing ${parameter}`) },
});

/** OpenAPI 3.1 description of the REST API (served at /api/v1/openapi.json). */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Device Security Token Service — auth gateway', version: 'v1' },
  paths: {
    '/health': { get: { responses: { '200': { description: 'alive' } } } },
    '/ready': { get: { responses: { '200': { description: 'Postgres and Redis answer' }, '503': { description: 'a dependency is down' } } } },
    '/metrics': { get: { responses: { '200': { description: 'Prometheus text exposition' } } } },
    '/api/v1/keys': { get: { responses: { '200': { description: 'JWKS', content: json('Jwks') } } } },
    '/.well-known/jwks.json': { get: { responses: { '200': { description: 'JWKS', content: json('Jwks') } } } },
    '/api/v1/deviceauth/challenge': { get: challenge('device_id') },
    '/api/v1/deviceauth/token': {
      post: { requestBody: form(['client_assertion_type', 'client_assertion']), responses: tokenResponses },
    },
    '/api/v1/appauth/challenge': { get: challenge('app_id') },
    '/api/v1/appauth/token': {
      post: { requestBody: form(['client_assertion_type', 'client_assertion', 'app_id']), responses: tokenResponses },
    },
  },
  components: {
    schemas: {
      Error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'integer' }, message: { type: 'string' } } },
      Challenge: {
        type: 'object',
        required: ['challenge', 'expires_at'],
        properties: { challenge: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } },
      },
      Token: {
        type: 'object',
        required: ['access_token', 'expires_at'],
        properties: { access_token: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } },
      },
      Jwks: {
        type: 'object',
        required: ['keys'],
        properties: {
          keys: {
            type: 'array',
            items: {
              type: 'object',
              required: ['kty', 'alg', 'use', 'kid'],
              properties: Object.fromEntries(['kty', 'alg', 'use', 'kid', 'n', 'e'].map((name) => [name, { type: 'string' }])),
            },
          },
        },
      },
    },
  },
} as const;
