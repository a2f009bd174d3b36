/**
 * What the rest of app/ may use from licences/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to licences/.
 */
export { agreementErrors } from './errors.js'
export { LicenceIssuer } from './licence_issuer.js'
export {
  LicenceLibraryService,
  type LicenceRow,
  type Requester,
  termsOf,
} from './licence_library_service.js'
export {
  type AgreementInput,
  type AgreementResult,
  LicenceTextService,
} from './licence_text_service.js'
export { default as LicencePolicy } from './policies/licence_policy.js'
