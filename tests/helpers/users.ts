import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import User, { type UserRole } from '#models/user'

export const TEST_PASSWORD = 'correct horse battery'

/** Creates an account of the given role with a unique e-mail and TEST_PASSWORD. */
export async function makeUser(
  role: UserRole | 'suspended',
  overrides: Partial<Pick<User, 'email' | 'fullName' | 'companyName'>> = {}
) {
  const actualRole: UserRole = role === 'suspended' ? 'creator' : role
  return User.create({
    email: overrides.email ?? `${role}-${randomUUID().slice(0, 8)}@athera.test`,
    fullName: overrides.fullName ?? `Test ${role}`,
    password: TEST_PASSWORD,
    role: actualRole,
    companyName: actualRole === 'buyer' ? (overrides.companyName ?? 'Acme Vision Ltd') : null,
    suspendedAt: role === 'suspended' ? DateTime.now() : null,
  })
}
