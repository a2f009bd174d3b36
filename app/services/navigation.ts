import type User from '#models/user'

export interface NavItem {
  label: string
  href: string
}

/**
 * The main navigation of each role. Only pages that exist are listed; each feature adds
 * its own entry when it lands.
 */
export function navigationFor(user: User): NavItem[] {
  const home: Record<User['role'], NavItem> = {
    creator: { label: 'Dashboard', href: '/creator' },
    buyer: { label: 'Dashboard', href: '/buyer' },
    admin: { label: 'Dashboard', href: '/admin' },
  }
  return [home[user.role], { label: 'Account', href: '/account/password' }]
}
