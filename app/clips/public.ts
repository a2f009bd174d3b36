/**
 * What the rest of app/ may use from clips/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to clips/.
 */
export { CLIP_STATUS_LABELS, formatDuration } from './clip_library_service.js'
