import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { API_SCOPE_NAMES, type ApiScope } from '#app/accounts/api_token_service'

/** A token of `user` with the given scopes (all by default); returns its secret. */
export async function tokenFor(
  user: User,
  scopes: ApiScope[] = API_SCOPE_NAMES,
  options: { expiresIn?: string } = {}
) {
  const token = await User.accessTokens.create(user, scopes, { name: 'test token', ...options })
  return { id: Number(token.identifier), secret: token.value!.release() }
}

/** The stored row of a token (null once revoked). */
export function tokenRow(id: number) {
  return db.from('auth_access_tokens').where('id', id).first()
}
