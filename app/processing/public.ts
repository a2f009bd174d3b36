/**
 * What the rest of app/ may use from processing/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to processing/.
 */
export { ClipProcessingService, objectKey } from './clip_processing_service.js'
export { claimWorkFolder } from './work_folder.js'
export { visionSettings } from './vision_service.js'
