import { DateTime } from 'luxon'
import factory from '@adonisjs/lucid/factories'
import User from '#models/user'

/** Every factory user signs in with this password (the model hashes it on save). */
export const FACTORY_PASSWORD = 'factory-password'

export const UserFactory = factory
  .define(User, ({ faker }) => {
    const first = faker.person.firstName()
    const last = faker.person.lastName()
    return {
      // The random suffix keeps emails unique however many users a test creates; names such as
      // O'Kon lose their apostrophe so every address passes the sign-in form's email rule.
      email: `${first}.${last}.${faker.string.alphanumeric(6)}@example.test`
        .toLowerCase()
        .replace(/[^a-z0-9.@]/g, ''),
      password: FACTORY_PASSWORD,
      fullName: `${first} ${last}`,
      role: 'creator' as const,
      companyName: null,
      stripeAccountStatus: 'none' as const,
    }
  })
  .state('creator', (user) => {
    user.role = 'creator'
  })
  .state('buyer', (user, { faker }) => {
    user.role = 'buyer'
    user.companyName = faker.company.name()
  })
  .state('admin', (user) => {
    user.role = 'admin'
  })
  .state('suspended', (user) => {
    user.suspendedAt = DateTime.now().minus({ days: 1 })
  })
  .build()
