export const policies = {
  AccountPolicy: () => import('#policies/account_policy'),
  DashboardPolicy: () => import('#policies/dashboard_policy'),
}

