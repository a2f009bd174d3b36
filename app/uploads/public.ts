/**
 * What the rest of app/ may use from uploads/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to uploads/.
 */
export { RawRetentionService } from './raw_retention_service.js'
export { UploadService } from './upload_service.js'
export { UploadSweepService } from './upload_sweep_service.js'
