/**
 * What the rest of app/ may use from consent/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to consent/.
 */
export { ConsentService } from './consent_service.js'
