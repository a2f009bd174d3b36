import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'
import ApiTokenPolicy from '#app/accounts/policies/api_token_policy'
import { apiTokenValidator } from '#app/accounts/api_token_validators'
import { API_SCOPES, ApiTokenService, TOKEN_EXPIRY_LABELS } from '#app/accounts/api_token_service'
import { tokenErrors } from '#app/accounts/errors'

/** A buyer's API tokens: the list with the form, creation (the secret shown once), revocation. */
@inject()
export default class ApiTokensController {
  constructor(protected tokens: ApiTokenService) {}

  async index({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(ApiTokenPolicy).authorize('manage')
    const tokens = await this.tokens.list(auth.getUserOrFail())
    return view.render('pages/tokens/index', {
      tokens,
      scopes: API_SCOPES,
      expiries: TOKEN_EXPIRY_LABELS,
    })
  }

  /**
   * Renders the secret in the response to the POST itself: it is never stored, flashed or
   * put in a URL, so reloading the list cannot show it again.
   */
  async store({ bouncer, auth, request, response, session, view }: HttpContext) {
    await bouncer.with(ApiTokenPolicy).authorize('manage')
    const input = await request.validateUsing(apiTokenValidator)
    const result = await this.tokens.create(auth.getUserOrFail(), input)
    if (!result.ok) {
      session.flashAll()
      session.flash('error', tokenErrors.describe(result))
      return response.redirect('/account/tokens')
    }
    response.header('Cache-Control', 'no-store')
    return view.render('pages/tokens/created', {
      token: result.token,
      secret: result.secret,
      apiBase: env.get('APP_URL'),
    })
  }

  async destroy({ bouncer, auth, params, response, session }: HttpContext) {
    await bouncer.with(ApiTokenPolicy).authorize('manage')
    const revoked = await this.tokens.revoke(auth.getUserOrFail(), Number(params.tokenId))
    session.flash(
      revoked ? 'success' : 'error',
      revoked
        ? 'Token revoked: requests with it now get 401.'
        : tokenErrors.sentence('E_TOKEN_NOT_FOUND')
    )
    return response.redirect('/account/tokens')
  }
}
