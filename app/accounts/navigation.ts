import type User from '#models/user'

export interface NavItem {
  label: string
  href: string
}

const HOMES: Record<User['role'], string> = {
  creator: '/creator',
  buyer: '/buyer',
  admin: '/admin',
}

/** Where a person lands after logging in: their role's dashboard. */
export function homeFor(user: User) {
  return HOMES[user.role]
}

/**
 * The main navigation of each role. Only pages that exist are listed; each feature adds
 * its own entry when it lands.
 */
export function navigationFor(user: User): NavItem[] {
  const byRole: Record<User['role'], NavItem[]> = {
    creator: [
      { label: 'Upload', href: '/upload' },
      { label: 'My clips', href: '/clips' },
      { label: 'My datasets', href: '/my/datasets' },
      { label: 'Consents', href: '/consents' },
    ],
    buyer: [
      { label: 'Catalog', href: '/catalog' },
      { label: 'Licences', href: '/licences' },
      { label: 'API tokens', href: '/account/tokens' },
    ],
    // Consent texts and withdrawals are reached from the consent log, which links both.
    admin: [
      { label: 'Moderation', href: '/admin/moderation' },
      { label: 'Datasets', href: '/my/datasets' },
      { label: 'Payouts', href: '/admin/payouts' },
      { label: 'Ledger', href: '/admin/ledger' },
      { label: 'Consent log', href: '/admin/consent-log' },
      { label: 'Users', href: '/admin/users' },
      { label: 'Settings', href: '/admin/settings' },
      { label: 'Audit', href: '/admin/audit' },
    ],
  }
  return [
    { label: 'Dashboard', href: homeFor(user) },
    ...byRole[user.role],
    { label: 'Account', href: '/account/password' },
  ]
}
