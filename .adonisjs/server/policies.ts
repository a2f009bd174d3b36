export const policies = {
  AccountPolicy: () => import('#policies/account_policy'),
  AdminPolicy: () => import('#policies/admin_policy'),
  ApiTokenPolicy: () => import('#policies/api_token_policy'),
  ClipPolicy: () => import('#policies/clip_policy'),
  CommercePolicy: () => import('#policies/commerce_policy'),
  ConsentPolicy: () => import('#policies/consent_policy'),
  DashboardPolicy: () => import('#policies/dashboard_policy'),
  DatasetPolicy: () => import('#policies/dataset_policy'),
  LicencePolicy: () => import('#policies/licence_policy'),
  OrderPolicy: () => import('#policies/order_policy'),
  UploadPolicy: () => import('#policies/upload_policy'),
  WebhookPolicy: () => import('#policies/webhook_policy'),
  WithdrawalNoticePolicy: () => import('#policies/withdrawal_notice_policy'),
  WithdrawalPolicy: () => import('#policies/withdrawal_policy'),
}

