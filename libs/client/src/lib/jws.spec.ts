import { generateKeyPairSync } from 'node:crypto';
import { signClientAssertion } from './client-assertion';
import { decodeJws, signJws, verifyWithJwks } from './jws';

describe('client JWS', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS512', use: 'sig' }] };

  it('signs a client assertion shaped like the original device client (SPEC §3 step 2)', () => {
    const der = Buffer.from('certificate bytes');
    const token = signClientAssertion({ subject: 'dev-1', nonce: 'n1', privateKey, certificateDer: der, now: new Date(1_800_000_000_000) });
    expect(decodeJws(token)).toEqual({
      header: { alg: 'RS512', typ: 'JWT', x5c: [der.toString('base64')] },
      claims: { iss: 'dev-1', sub: 'dev-1', nonce: 'n1', exp: 1_800_000_600, nbf: 1_800_000_000, iat: 1_800_000_000, jti: expect.any(String) },
    });
  });

  it('verifies a token against the JWKS entry of its kid, and refuses a foreign kid, another alg or a changed payload', () => {
    const token = signJws({ alg: 'RS512', kid: 'k1' }, { sub: 'dev-1' }, privateKey);
    expect(verifyWithJwks(token, jwks).claims).toEqual({ sub: 'dev-1' });
    expect(() => verifyWithJwks(signJws({ alg: 'RS512', kid: 'k2' }, { sub: 'dev-1' }, privateKey), jwks)).toThrow('kid k2 is not in the JWKS');
    expect(() => verifyWithJwks(signJws({ alg: 'RS256', kid: 'k1' }, { sub: 'dev-1' }, privateKey), jwks)).toThrow('alg differs from the JWK');
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from('{"sub":"dev-2"}').toString('base64url')}.${signature}`;
    expect(() => verifyWithJwks(forged, jwks)).toThrow('signature does not verify');
  });

  it('refuses to sign with an algorithm it does not know', () => {
    expect(() => signJws({ alg: 'HS256' }, {}, privateKey)).toThrow('unsupported alg HS256');
  });
});
