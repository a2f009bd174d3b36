import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ConsentPolicy from '#app/consent/policies/consent_policy'
import { ConsentService } from '#app/consent/consent_service'

/** A consent record's receipt as a JSON file, for the creator's own archive. */
@inject()
export default class ConsentReceiptsController {
  constructor(protected consent: ConsentService) {}

  async show({ bouncer, auth, params, response }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('viewReceipts')
    const record = await this.consent.readableRecord(auth.getUserOrFail(), Number(params.consentId))
    const receipt = await this.consent.receipt(record)
    response.header('Content-Type', 'application/json; charset=utf-8')
    response.header('Content-Disposition', `attachment; filename="athera-consent-${record.id}.json"`)
    return response.send(JSON.stringify(receipt, null, 2))
  }
}
