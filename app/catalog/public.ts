/**
 * What the rest of app/ may use from catalog/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to catalog/.
 */
export {
  CATALOG_PAGE_SIZE,
  CATALOG_SORTS,
  type CatalogCard,
  CatalogService,
} from './catalog_service.js'
// The API quotes prices as the catalog shows them.
export { formatPrice } from '#app/core/format'
