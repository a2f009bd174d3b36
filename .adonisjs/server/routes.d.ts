import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'home.show': { paramsTuple?: []; params?: {} }
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'setup.create': { paramsTuple?: []; params?: {} }
    'setup.store': { paramsTuple?: []; params?: {} }
    'signup.create': { paramsTuple?: []; params?: {} }
    'signup.store': { paramsTuple?: []; params?: {} }
    'session.create': { paramsTuple?: []; params?: {} }
    'session.store': { paramsTuple?: []; params?: {} }
    'password_reset.create': { paramsTuple?: []; params?: {} }
    'password_reset.store': { paramsTuple?: []; params?: {} }
    'password_reset.edit': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'password_reset.update': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'session.destroy': { paramsTuple?: []; params?: {} }
    'dashboard': { paramsTuple?: []; params?: {} }
    'creator_dashboard.show': { paramsTuple?: []; params?: {} }
    'buyer_dashboard.show': { paramsTuple?: []; params?: {} }
    'admin_dashboard.show': { paramsTuple?: []; params?: {} }
    'password.edit': { paramsTuple?: []; params?: {} }
    'password.update': { paramsTuple?: []; params?: {} }
    'account_sessions.index': { paramsTuple?: []; params?: {} }
    'account_sessions.clear': { paramsTuple?: []; params?: {} }
    'account_sessions.destroy': { paramsTuple: [ParamValue]; params: {'handle': ParamValue} }
    'uploads.create': { paramsTuple?: []; params?: {} }
    'uploads.store': { paramsTuple?: []; params?: {} }
    'uploads.show': { paramsTuple: [ParamValue]; params: {'uploadId': ParamValue} }
    'uploads.update': { paramsTuple: [ParamValue]; params: {'uploadId': ParamValue} }
    'uploads.destroy': { paramsTuple: [ParamValue]; params: {'uploadId': ParamValue} }
    'consents.create': { paramsTuple?: []; params?: {} }
    'consents.store': { paramsTuple?: []; params?: {} }
    'consents.index': { paramsTuple?: []; params?: {} }
    'consents.show': { paramsTuple: [ParamValue]; params: {'consentId': ParamValue} }
    'consent_receipts.show': { paramsTuple: [ParamValue]; params: {'consentId': ParamValue} }
    'clip_withdrawals.create': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'clip_withdrawals.store': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_consent_texts.index': { paramsTuple?: []; params?: {} }
    'admin_consent_texts.store': { paramsTuple?: []; params?: {} }
    'admin_consent_texts.show': { paramsTuple: [ParamValue]; params: {'consentTextId': ParamValue} }
    'admin_withdrawals.index': { paramsTuple?: []; params?: {} }
    'clips.index': { paramsTuple?: []; params?: {} }
    'clips.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'clips.keypoints': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'clip_retry.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'catalog.index': { paramsTuple?: []; params?: {} }
    'catalog.show': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'catalog.sample_keypoints': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'catalog.sample_preview': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'my_datasets.index': { paramsTuple?: []; params?: {} }
    'my_datasets.create': { paramsTuple?: []; params?: {} }
    'my_datasets.store': { paramsTuple?: []; params?: {} }
    'my_datasets.edit': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'my_datasets.update': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'my_datasets.clips': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'my_datasets.publish': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'my_datasets.unpublish': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'stripe_webhooks.store': { paramsTuple?: []; params?: {} }
    'checkout.store': { paramsTuple: [ParamValue]; params: {'versionId': ParamValue} }
    'checkout.success': { paramsTuple?: []; params?: {} }
    'checkout.cancel': { paramsTuple?: []; params?: {} }
    'checkout.destroy': { paramsTuple?: []; params?: {} }
    'licence_claims.store': { paramsTuple: [ParamValue]; params: {'versionId': ParamValue} }
    'licence_grants.create': { paramsTuple?: []; params?: {} }
    'licence_grants.store': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.index': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.store': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.show': { paramsTuple: [ParamValue]; params: {'licenceTextId': ParamValue} }
    'licences.index': { paramsTuple?: []; params?: {} }
    'licences.show': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'licences.manifest': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'licences.download': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'stripe_connect.store': { paramsTuple?: []; params?: {} }
    'stripe_connect.refresh': { paramsTuple?: []; params?: {} }
    'stripe_connect.complete': { paramsTuple?: []; params?: {} }
    'withdrawal_acks.store': { paramsTuple: [ParamValue,ParamValue]; params: {'licenceId': ParamValue,'noticeId': ParamValue} }
    'buyer_webhooks.show': { paramsTuple?: []; params?: {} }
    'buyer_webhooks.update': { paramsTuple?: []; params?: {} }
    'buyer_webhooks.destroy': { paramsTuple?: []; params?: {} }
    'webhook_tests.store': { paramsTuple?: []; params?: {} }
    'webhook_secrets.store': { paramsTuple?: []; params?: {} }
    'api_v1.withdrawals.index': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'api_v1.withdrawals.acknowledge': { paramsTuple: [ParamValue,ParamValue]; params: {'licenceId': ParamValue,'noticeId': ParamValue} }
    'api_tokens.index': { paramsTuple?: []; params?: {} }
    'api_tokens.store': { paramsTuple?: []; params?: {} }
    'api_tokens.destroy': { paramsTuple: [ParamValue]; params: {'tokenId': ParamValue} }
    'buyer_dashboard.receipt': { paramsTuple: [ParamValue]; params: {'orderId': ParamValue} }
    'api_v1.catalog.index': { paramsTuple?: []; params?: {} }
    'api_v1.datasets.show': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'api_v1.datasets.version': { paramsTuple: [ParamValue,ParamValue]; params: {'slug': ParamValue,'version': ParamValue} }
    'api_v1.licences.index': { paramsTuple?: []; params?: {} }
    'api_v1.licences.manifest': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'api_v1.openapi': { paramsTuple?: []; params?: {} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'admin_moderation.index': { paramsTuple?: []; params?: {} }
    'admin_moderation_decisions.bulk': { paramsTuple?: []; params?: {} }
    'admin_moderation.show': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_moderation.regions': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_redactions.store': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_redactions.show': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_redactions.render': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_redactions.cancel': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_moderation_decisions.approve': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_moderation_decisions.reject': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_payouts.index': { paramsTuple?: []; params?: {} }
    'admin_transfers.retry': { paramsTuple: [ParamValue]; params: {'transferId': ParamValue} }
    'admin_refunds.store': { paramsTuple: [ParamValue]; params: {'orderId': ParamValue} }
    'admin_ledger.index': { paramsTuple?: []; params?: {} }
    'admin_ledger.export': { paramsTuple?: []; params?: {} }
    'admin_consent_log.index': { paramsTuple?: []; params?: {} }
    'admin_consent_log.export': { paramsTuple?: []; params?: {} }
    'admin_consent_log.licences': { paramsTuple?: []; params?: {} }
    'admin_consent_log.held_versions': { paramsTuple?: []; params?: {} }
    'instance_logo.show': { paramsTuple: [ParamValue]; params: {'logoId': ParamValue} }
    'invitation_signups.create': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'invitation_signups.store': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin_users.index': { paramsTuple?: []; params?: {} }
    'admin_users.update': { paramsTuple: [ParamValue]; params: {'userId': ParamValue} }
    'admin_user_suspensions.store': { paramsTuple: [ParamValue]; params: {'userId': ParamValue} }
    'admin_user_suspensions.destroy': { paramsTuple: [ParamValue]; params: {'userId': ParamValue} }
    'admin_invitations.store': { paramsTuple?: []; params?: {} }
    'admin_invitations.destroy': { paramsTuple: [ParamValue]; params: {'invitationId': ParamValue} }
    'admin_settings.edit': { paramsTuple?: []; params?: {} }
    'admin_settings.update': { paramsTuple?: []; params?: {} }
    'admin_audit.index': { paramsTuple?: []; params?: {} }
  }
  GET: {
    'home.show': { paramsTuple?: []; params?: {} }
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'setup.create': { paramsTuple?: []; params?: {} }
    'signup.create': { paramsTuple?: []; params?: {} }
    'session.create': { paramsTuple?: []; params?: {} }
    'password_reset.create': { paramsTuple?: []; params?: {} }
    'password_reset.edit': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'dashboard': { paramsTuple?: []; params?: {} }
    'creator_dashboard.show': { paramsTuple?: []; params?: {} }
    'buyer_dashboard.show': { paramsTuple?: []; params?: {} }
    'admin_dashboard.show': { paramsTuple?: []; params?: {} }
    'password.edit': { paramsTuple?: []; params?: {} }
    'account_sessions.index': { paramsTuple?: []; params?: {} }
    'uploads.create': { paramsTuple?: []; params?: {} }
    'consents.create': { paramsTuple?: []; params?: {} }
    'consents.index': { paramsTuple?: []; params?: {} }
    'consents.show': { paramsTuple: [ParamValue]; params: {'consentId': ParamValue} }
    'consent_receipts.show': { paramsTuple: [ParamValue]; params: {'consentId': ParamValue} }
    'clip_withdrawals.create': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_consent_texts.index': { paramsTuple?: []; params?: {} }
    'admin_consent_texts.show': { paramsTuple: [ParamValue]; params: {'consentTextId': ParamValue} }
    'admin_withdrawals.index': { paramsTuple?: []; params?: {} }
    'clips.index': { paramsTuple?: []; params?: {} }
    'clips.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'clips.keypoints': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'catalog.index': { paramsTuple?: []; params?: {} }
    'catalog.show': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'catalog.sample_keypoints': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'catalog.sample_preview': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'my_datasets.index': { paramsTuple?: []; params?: {} }
    'my_datasets.create': { paramsTuple?: []; params?: {} }
    'my_datasets.edit': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'checkout.success': { paramsTuple?: []; params?: {} }
    'checkout.cancel': { paramsTuple?: []; params?: {} }
    'licence_grants.create': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.index': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.show': { paramsTuple: [ParamValue]; params: {'licenceTextId': ParamValue} }
    'licences.index': { paramsTuple?: []; params?: {} }
    'licences.show': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'licences.manifest': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'licences.download': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'stripe_connect.refresh': { paramsTuple?: []; params?: {} }
    'stripe_connect.complete': { paramsTuple?: []; params?: {} }
    'buyer_webhooks.show': { paramsTuple?: []; params?: {} }
    'api_v1.withdrawals.index': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'api_tokens.index': { paramsTuple?: []; params?: {} }
    'buyer_dashboard.receipt': { paramsTuple: [ParamValue]; params: {'orderId': ParamValue} }
    'api_v1.catalog.index': { paramsTuple?: []; params?: {} }
    'api_v1.datasets.show': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'api_v1.datasets.version': { paramsTuple: [ParamValue,ParamValue]; params: {'slug': ParamValue,'version': ParamValue} }
    'api_v1.licences.index': { paramsTuple?: []; params?: {} }
    'api_v1.licences.manifest': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'api_v1.openapi': { paramsTuple?: []; params?: {} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'admin_moderation.index': { paramsTuple?: []; params?: {} }
    'admin_moderation.show': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_moderation.regions': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_redactions.show': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_payouts.index': { paramsTuple?: []; params?: {} }
    'admin_ledger.index': { paramsTuple?: []; params?: {} }
    'admin_ledger.export': { paramsTuple?: []; params?: {} }
    'admin_consent_log.index': { paramsTuple?: []; params?: {} }
    'admin_consent_log.export': { paramsTuple?: []; params?: {} }
    'admin_consent_log.licences': { paramsTuple?: []; params?: {} }
    'admin_consent_log.held_versions': { paramsTuple?: []; params?: {} }
    'instance_logo.show': { paramsTuple: [ParamValue]; params: {'logoId': ParamValue} }
    'invitation_signups.create': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin_users.index': { paramsTuple?: []; params?: {} }
    'admin_settings.edit': { paramsTuple?: []; params?: {} }
    'admin_audit.index': { paramsTuple?: []; params?: {} }
  }
  HEAD: {
    'home.show': { paramsTuple?: []; params?: {} }
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'setup.create': { paramsTuple?: []; params?: {} }
    'signup.create': { paramsTuple?: []; params?: {} }
    'session.create': { paramsTuple?: []; params?: {} }
    'password_reset.create': { paramsTuple?: []; params?: {} }
    'password_reset.edit': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'dashboard': { paramsTuple?: []; params?: {} }
    'creator_dashboard.show': { paramsTuple?: []; params?: {} }
    'buyer_dashboard.show': { paramsTuple?: []; params?: {} }
    'admin_dashboard.show': { paramsTuple?: []; params?: {} }
    'password.edit': { paramsTuple?: []; params?: {} }
    'account_sessions.index': { paramsTuple?: []; params?: {} }
    'uploads.create': { paramsTuple?: []; params?: {} }
    'uploads.show': { paramsTuple: [ParamValue]; params: {'uploadId': ParamValue} }
    'consents.create': { paramsTuple?: []; params?: {} }
    'consents.index': { paramsTuple?: []; params?: {} }
    'consents.show': { paramsTuple: [ParamValue]; params: {'consentId': ParamValue} }
    'consent_receipts.show': { paramsTuple: [ParamValue]; params: {'consentId': ParamValue} }
    'clip_withdrawals.create': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_consent_texts.index': { paramsTuple?: []; params?: {} }
    'admin_consent_texts.show': { paramsTuple: [ParamValue]; params: {'consentTextId': ParamValue} }
    'admin_withdrawals.index': { paramsTuple?: []; params?: {} }
    'clips.index': { paramsTuple?: []; params?: {} }
    'clips.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'clips.keypoints': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'catalog.index': { paramsTuple?: []; params?: {} }
    'catalog.show': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'catalog.sample_keypoints': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'catalog.sample_preview': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'my_datasets.index': { paramsTuple?: []; params?: {} }
    'my_datasets.create': { paramsTuple?: []; params?: {} }
    'my_datasets.edit': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'checkout.success': { paramsTuple?: []; params?: {} }
    'checkout.cancel': { paramsTuple?: []; params?: {} }
    'licence_grants.create': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.index': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.show': { paramsTuple: [ParamValue]; params: {'licenceTextId': ParamValue} }
    'licences.index': { paramsTuple?: []; params?: {} }
    'licences.show': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'licences.manifest': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'licences.download': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'stripe_connect.refresh': { paramsTuple?: []; params?: {} }
    'stripe_connect.complete': { paramsTuple?: []; params?: {} }
    'buyer_webhooks.show': { paramsTuple?: []; params?: {} }
    'api_v1.withdrawals.index': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'api_tokens.index': { paramsTuple?: []; params?: {} }
    'buyer_dashboard.receipt': { paramsTuple: [ParamValue]; params: {'orderId': ParamValue} }
    'api_v1.catalog.index': { paramsTuple?: []; params?: {} }
    'api_v1.datasets.show': { paramsTuple: [ParamValue]; params: {'slug': ParamValue} }
    'api_v1.datasets.version': { paramsTuple: [ParamValue,ParamValue]; params: {'slug': ParamValue,'version': ParamValue} }
    'api_v1.licences.index': { paramsTuple?: []; params?: {} }
    'api_v1.licences.manifest': { paramsTuple: [ParamValue]; params: {'licenceId': ParamValue} }
    'api_v1.openapi': { paramsTuple?: []; params?: {} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'admin_moderation.index': { paramsTuple?: []; params?: {} }
    'admin_moderation.show': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_moderation.regions': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_redactions.show': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_payouts.index': { paramsTuple?: []; params?: {} }
    'admin_ledger.index': { paramsTuple?: []; params?: {} }
    'admin_ledger.export': { paramsTuple?: []; params?: {} }
    'admin_consent_log.index': { paramsTuple?: []; params?: {} }
    'admin_consent_log.export': { paramsTuple?: []; params?: {} }
    'admin_consent_log.licences': { paramsTuple?: []; params?: {} }
    'admin_consent_log.held_versions': { paramsTuple?: []; params?: {} }
    'instance_logo.show': { paramsTuple: [ParamValue]; params: {'logoId': ParamValue} }
    'invitation_signups.create': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin_users.index': { paramsTuple?: []; params?: {} }
    'admin_settings.edit': { paramsTuple?: []; params?: {} }
    'admin_audit.index': { paramsTuple?: []; params?: {} }
  }
  POST: {
    'setup.store': { paramsTuple?: []; params?: {} }
    'signup.store': { paramsTuple?: []; params?: {} }
    'session.store': { paramsTuple?: []; params?: {} }
    'password_reset.store': { paramsTuple?: []; params?: {} }
    'password_reset.update': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'session.destroy': { paramsTuple?: []; params?: {} }
    'uploads.store': { paramsTuple?: []; params?: {} }
    'consents.store': { paramsTuple?: []; params?: {} }
    'clip_withdrawals.store': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_consent_texts.store': { paramsTuple?: []; params?: {} }
    'clip_retry.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'my_datasets.store': { paramsTuple?: []; params?: {} }
    'my_datasets.clips': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'my_datasets.publish': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'my_datasets.unpublish': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'stripe_webhooks.store': { paramsTuple?: []; params?: {} }
    'checkout.store': { paramsTuple: [ParamValue]; params: {'versionId': ParamValue} }
    'checkout.destroy': { paramsTuple?: []; params?: {} }
    'licence_claims.store': { paramsTuple: [ParamValue]; params: {'versionId': ParamValue} }
    'licence_grants.store': { paramsTuple?: []; params?: {} }
    'admin_licence_texts.store': { paramsTuple?: []; params?: {} }
    'stripe_connect.store': { paramsTuple?: []; params?: {} }
    'withdrawal_acks.store': { paramsTuple: [ParamValue,ParamValue]; params: {'licenceId': ParamValue,'noticeId': ParamValue} }
    'webhook_tests.store': { paramsTuple?: []; params?: {} }
    'webhook_secrets.store': { paramsTuple?: []; params?: {} }
    'api_v1.withdrawals.acknowledge': { paramsTuple: [ParamValue,ParamValue]; params: {'licenceId': ParamValue,'noticeId': ParamValue} }
    'api_tokens.store': { paramsTuple?: []; params?: {} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'admin_moderation_decisions.bulk': { paramsTuple?: []; params?: {} }
    'admin_redactions.store': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_redactions.render': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_redactions.cancel': { paramsTuple: [ParamValue,ParamValue]; params: {'clipId': ParamValue,'id': ParamValue} }
    'admin_moderation_decisions.approve': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_moderation_decisions.reject': { paramsTuple: [ParamValue]; params: {'clipId': ParamValue} }
    'admin_transfers.retry': { paramsTuple: [ParamValue]; params: {'transferId': ParamValue} }
    'admin_refunds.store': { paramsTuple: [ParamValue]; params: {'orderId': ParamValue} }
    'invitation_signups.store': { paramsTuple: [ParamValue]; params: {'token': ParamValue} }
    'admin_user_suspensions.store': { paramsTuple: [ParamValue]; params: {'userId': ParamValue} }
    'admin_invitations.store': { paramsTuple?: []; params?: {} }
  }
  PUT: {
    'password.update': { paramsTuple?: []; params?: {} }
    'my_datasets.update': { paramsTuple: [ParamValue]; params: {'datasetId': ParamValue} }
    'buyer_webhooks.update': { paramsTuple?: []; params?: {} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'admin_users.update': { paramsTuple: [ParamValue]; params: {'userId': ParamValue} }
    'admin_settings.update': { paramsTuple?: []; params?: {} }
  }
  DELETE: {
    'account_sessions.clear': { paramsTuple?: []; params?: {} }
    'account_sessions.destroy': { paramsTuple: [ParamValue]; params: {'handle': ParamValue} }
    'uploads.destroy': { paramsTuple: [ParamValue]; params: {'uploadId': ParamValue} }
    'buyer_webhooks.destroy': { paramsTuple?: []; params?: {} }
    'api_tokens.destroy': { paramsTuple: [ParamValue]; params: {'tokenId': ParamValue} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
    'admin_user_suspensions.destroy': { paramsTuple: [ParamValue]; params: {'userId': ParamValue} }
    'admin_invitations.destroy': { paramsTuple: [ParamValue]; params: {'invitationId': ParamValue} }
  }
  PATCH: {
    'uploads.update': { paramsTuple: [ParamValue]; params: {'uploadId': ParamValue} }
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
  }
  OPTIONS: {
    'api.missing': { paramsTuple: [...ParamValue[]]; params: {'*': ParamValue[]} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}