import { randomUUID } from 'node:crypto'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import User, { type UserRole } from '#models/user'

export const TEST_PASSWORD = 'correct horse battery'

/**
 * TEST_PASSWORD hashed once per test process with the real hasher (argon2id at 64 MiB):
 * hashing it again for each of the thousand-odd accounts the tests make cost most of the
 * authorization table's time. Logging in still verifies against a real argon2id hash.
 */
let testPasswordHash: Promise<string> | undefined

/** Creates an account of the given role with a unique e-mail and TEST_PASSWORD. */
export async function makeUser(
  role: UserRole | 'suspended',
  overrides: Partial<Pick<User, 'email' | 'fullName' | 'companyName'>> = {}
) {
  const actualRole: UserRole = role === 'suspended' ? 'creator' : role
  testPasswordHash ??= hash.make(TEST_PASSWORD)
  // Inserted as a row: the model would hash the stored hash again (its beforeSave hook).
  const [row] = await db
    .table('users')
    .insert({
      email: overrides.email ?? `${role}-${randomUUID().slice(0, 8)}@athera.test`,
      full_name: overrides.fullName ?? `Test ${role}`,
      password: await testPasswordHash,
      role: actualRole,
      company_name: actualRole === 'buyer' ? (overrides.companyName ?? 'Acme Vision Ltd') : null,
      suspended_at: role === 'suspended' ? new Date() : null,
    })
    .returning('id')
  return User.findOrFail(row.id)
}
