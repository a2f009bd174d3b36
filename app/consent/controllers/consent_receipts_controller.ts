import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ConsentPolicy from '#app/consent/policies/consent_policy'
import { ConsentReceipts } from '#app/consent/consent_receipts'

/** A consent record's receipt as a JSON file, for the creator's own archive. */
@inject()
export default class ConsentReceiptsController {
  constructor(protected receipts: ConsentReceipts) {}

  async show({ bouncer, auth, params, response }: HttpContext) {
    await bouncer.with(ConsentPolicy).authorize('viewReceipts')
    const record = await this.receipts.readableRecord(
      auth.getUserOrFail(),
      Number(params.consentId)
    )
    const receipt = await this.receipts.receipt(record)
    response.header('Content-Type', 'application/json; charset=utf-8')
    response.header(
      'Content-Disposition',
      `attachment; filename="athera-consent-${record.id}.json"`
    )
    return response.send(JSON.stringify(receipt, null, 2))
  }
}
