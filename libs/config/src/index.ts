export { CONFIG_VARIABLES, ConfigError, loadConfig, PERMISSIONS, redactConfig, SIGNING_ALGORITHMS, signingKeyEncryptionKey } from './lib/config';
export type { Config, Environment, Permission, SigningAlgorithm, TrustedProxies } from './lib/config';
