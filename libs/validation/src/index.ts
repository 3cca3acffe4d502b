export {
  MAX_ASSERTION_LENGTH,
  MAX_HARDWARE_HASH_LENGTH,
  MAX_ID_LENGTH,
  MAX_MANAGEMENT_SERVICE_LENGTH,
  hasForbiddenCharacters,
  optionalText,
  requiredId,
} from './lib/request-fields';
