/**
 * What the rest of app/ may use from datasets/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to datasets/.
 */
export {
  type LicensingProblem,
  reasonFor,
  UNDELIVERED,
  undeliveredClipIds,
  withdrawnClipIds,
} from './clip_eligibility.js'
export { DatasetExportService } from './dataset_export_service.js'
export { type ExportPlan } from './export_plan.js'
export { clipFacts, type DatasetManifest, MANIFEST_FILES, parseManifest } from './manifest.js'
export { default as DatasetPolicy } from './policies/dataset_policy.js'
export { NotForSaleError, notForSale } from './errors.js'
export { heldVersions, saleStatus, type SaleStatus, saleStatuses } from './version_sale.js'
