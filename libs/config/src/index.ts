export { ConfigError, loadConfig, redactConfig } from './lib/config';
export type { Config, Environment } from './lib/config';
