import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ConsentPolicy from '#app/consent/policies/consent_policy'
import { grantValidator } from '#app/consent/validators'
import { ConsentService, GRANT_USABLE_FOR_HOURS } from '#app/consent/consent_service'
import { ConsentReceipts } from '#app/consent/consent_receipts'
import { ConsentError } from '#app/consent/errors'
import { CONSENT_USAGES } from '#models/consent_record'

/** A creator's consent: the form for the next upload batch, the list, and printable receipts. */
@inject()
export default class ConsentsController {
  constructor(
    protected consent: ConsentService,
    protected receipts: ConsentReceipts
  ) {}

  async create({ bouncer, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('give')
    const text = await this.consent.currentText()
    return view.render('pages/consent/create', {
      text,
      usages: CONSENT_USAGES,
      usableHours: GRANT_USABLE_FOR_HOURS,
    })
  }

  async store({ bouncer, request, auth, response, session }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('give')
    try {
      // Before validation: without a text there is nothing to agree to, whatever was typed.
      await this.consent.requireCurrentText()
      const input = await request.validateUsing(grantValidator)
      const evidence = { ip: request.ip(), userAgent: request.header('user-agent') ?? null }
      const record = await this.consent.grant(auth.getUserOrFail(), input, evidence)
      session.flash(
        'success',
        `Consent recorded (receipt #${record.id}). You can now upload this batch of clips.`
      )
      return response.redirect(`/upload?consent=${record.id}`)
    } catch (error) {
      if (!(error instanceof ConsentError)) throw error
      session.flashAll()
      session.flash('error', error.message)
      return response.redirect('/consent/new')
    }
  }

  async index({ bouncer, auth, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('list')
    const records = await this.receipts.recordsOf(auth.getUserOrFail())
    return view.render('pages/consent/index', { records })
  }

  async show({ bouncer, auth, params, view }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('viewReceipts')
    const record = await this.receipts.readableRecord(
      auth.getUserOrFail(),
      Number(params.consentId)
    )
    return view.render('pages/consent/show', { receipt: await this.receipts.receipt(record) })
  }
}
