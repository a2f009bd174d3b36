/**
 * What the rest of app/ may use from moderation/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to moderation/.
 */
export { RedactionWorkService } from './redaction_work_service.js'
