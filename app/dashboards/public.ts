/**
 * What the rest of app/ may use from dashboards/: other features, jobs, middleware and
 * exceptions import it from here, never from the files below (docs/architecture.md,
 * "The import rule"). The rest of this folder is private to dashboards/.
 */
export { default as DashboardPolicy } from './policies/dashboard_policy.js'
