export const policies = {
  AccountPolicy: () => import('#app/accounts/policies/account_policy'),
  AdminPolicy: () => import('#app/admin/policies/admin_policy'),
  ApiTokenPolicy: () => import('#app/accounts/policies/api_token_policy'),
  ClipPolicy: () => import('#app/clips/policies/clip_policy'),
  CommercePolicy: () => import('#app/commerce/policies/commerce_policy'),
  ConsentPolicy: () => import('#app/consent/policies/consent_policy'),
  DashboardPolicy: () => import('#app/dashboards/policies/dashboard_policy'),
  DatasetPolicy: () => import('#app/datasets/policies/dataset_policy'),
  LicencePolicy: () => import('#app/licences/policies/licence_policy'),
  OrderPolicy: () => import('#app/commerce/policies/order_policy'),
  UploadPolicy: () => import('#app/uploads/policies/upload_policy'),
  WebhookPolicy: () => import('#app/webhooks/policies/webhook_policy'),
  WithdrawalNoticePolicy: () => import('#app/notices/policies/withdrawal_notice_policy'),
  WithdrawalPolicy: () => import('#app/consent/policies/withdrawal_policy'),
}

