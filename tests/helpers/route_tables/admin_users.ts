import app from '@adonisjs/core/services/app'
import type { ParamFixture, RouteTable } from '#tests/helpers/route_tables/types'
import { makeUser } from '#tests/helpers/users'
import { InvitationService } from '#app/admin/invitation_service'
import { invitationErrors } from '#app/admin/errors'
import { SettingsStore } from '#app/core/settings_store'
import { logoKey } from '#app/admin/instance_settings_service'
import { StorageService } from '#app/core/storage_service'
import { PNG_LOGO } from '#tests/helpers/images'

const toLogin: [number, string] = [302, '/login']
const toDashboard: [number, string] = [302, '/dashboard']
const admins = (admin: number | [number, string], refused: number | [number, string]) => ({
  anonymous: toLogin,
  creator: refused,
  buyer: refused,
  admin,
  suspended: toLogin,
})

/**
 * Admin users, invitations, instance settings and the audit log: active admins only; others
 * get 403 on pages and are sent back (302 to the referer) from forms. An admin's form with no
 * fields is sent back by validation (302); suspending or reactivating `:id` redirects back.
 * The invitation link is for visitors: logged-in people are sent to their dashboard, and a
 * suspended one is logged out first, so they see it like a visitor. The logo is public.
 */
export const adminUsersRoutes: RouteTable = {
  'GET /instance/logo/:logoId': {
    anonymous: 200,
    creator: 200,
    buyer: 200,
    admin: 200,
    suspended: 200,
  },
  'GET /invitations/:token': {
    anonymous: 200,
    creator: toDashboard,
    buyer: toDashboard,
    admin: toDashboard,
    suspended: 200,
  },
  'POST /invitations/:token': {
    anonymous: 302,
    creator: toDashboard,
    buyer: toDashboard,
    admin: toDashboard,
    suspended: 302,
  },
  'GET /admin/users': admins(200, 403),
  'PUT /admin/users/:userId': admins(302, 302),
  'POST /admin/users/:userId/suspension': admins(302, 302),
  'DELETE /admin/users/:userId/suspension': admins(302, 302),
  'POST /admin/invitations': admins(302, 302),
  'DELETE /admin/invitations/:invitationId': admins([302, '/admin/users'], 302),
  'GET /admin/settings': admins(200, 403),
  'PUT /admin/settings': admins(302, 302),
  'GET /admin/audit': admins(200, 403),
}

/** Another account, a pending invitation (with its link's token) and an uploaded logo. */
export const adminUsersParams: ParamFixture = async () => {
  const inviter = await makeUser('admin')
  const other = await makeUser('creator')
  const invited = await new InvitationService().create(
    inviter,
    { email: `invited-${other.id}@athera.test`, role: 'creator' },
    null
  )
  if (!invited.ok) throw new Error(invitationErrors.describe(invited))
  const logo = {
    id: crypto.randomUUID(),
    contentType: 'image/png' as const,
    bytes: PNG_LOGO.length,
  }
  const storage = await app.container.make(StorageService)
  await storage.putStream('previews', logoKey(logo.id), PNG_LOGO, PNG_LOGO.length, {
    'Content-Type': 'image/png',
  })
  await new SettingsStore().set('instance_logo', logo, inviter.id)
  return {
    logoId: logo.id,
    token: invited.link.split('/').pop()!,
    userId: String(other.id),
    invitationId: String(invited.invitation.id),
  }
}
