export { rsaKeyId, signingKeyId } from './lib/key-id';
export { openPrivateKey, sealPrivateKey } from './lib/envelope';
export { createSigningKeyStore } from './lib/signing-key-store';
export type { PublicJwk, SigningKeyStore, SigningKeyStoreDeps } from './lib/signing-key-store';
