export { openService } from './lib/open-service';
export type { ServiceFoundation } from './lib/open-service';
