/**
 * What the rest of app/ may use from webhooks/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to webhooks/.
 */
export { WebhookService } from './webhook_service.js'
