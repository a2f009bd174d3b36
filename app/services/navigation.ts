import type User from '#models/user'

export interface NavItem {
  label: string
  href: string
}

const HOMES: Record<User['role'], string> = { creator: '/creator', buyer: '/buyer', admin: '/admin' }

/** Where a person lands after logging in: their role's dashboard. */
export function homeFor(user: User) {
  return HOMES[user.role]
}

/**
 * The main navigation of each role. Only pages that exist are listed; each feature adds
 * its own entry when it lands.
 */
export function navigationFor(user: User): NavItem[] {
  return [
    { label: 'Dashboard', href: homeFor(user) },
    { label: 'Account', href: '/account/password' },
  ]
}
