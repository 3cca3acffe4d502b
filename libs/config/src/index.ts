export { CONFIG_VARIABLES, ConfigError, loadConfig, redactConfig, SIGNING_ALGORITHMS, signingKeyEncryptionKey } from './lib/config';
export type { Config, Environment, SigningAlgorithm, TrustedProxies } from './lib/config';
