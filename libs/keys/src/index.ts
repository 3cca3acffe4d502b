export { rsaKeyId } from './lib/key-id';
