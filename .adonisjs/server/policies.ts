export const policies = {
  AccountPolicy: () => import('#policies/account_policy'),
  ClipPolicy: () => import('#policies/clip_policy'),
  ConsentPolicy: () => import('#policies/consent_policy'),
  DashboardPolicy: () => import('#policies/dashboard_policy'),
  UploadPolicy: () => import('#policies/upload_policy'),
  WithdrawalPolicy: () => import('#policies/withdrawal_policy'),
}

