/** The signed checkout webhook delivered five times and out of order: one licence, one sale. */
import { count, q } from './checks.js'
import { tally } from './http.js'
import { stripe } from './services.js'
import { scenario } from './table.js'

export async function checkoutScenario(session: { id: string }) {
  await scenario('signed checkout webhook 5× and out of order', 5, async () => {
    const url = stripe.webhookUrl
    stripe.webhookUrl = undefined
    const { event: completed } = await stripe.pay(session.id)
    stripe.webhookUrl = url
    // An older expiry of the same session, delivered before, among and after the payment.
    const expired = stripe.event('checkout.session.expired', {
      ...stripe.sessions.get(session.id),
      status: 'expired',
      payment_status: 'unpaid',
    })
    expired.created = completed.created - 60
    const statuses: number[] = []
    const deliver = async (event: any) => {
      const delivery = await stripe.deliver(event)
      statuses.push(delivery.status)
      if (delivery.status >= 500) tally.fiveHundreds += 1
    }
    await deliver(expired)
    await Promise.all([deliver(completed), deliver(completed), deliver(expired)])
    await Promise.all([deliver(completed), deliver(completed), deliver(completed)])
    await deliver(expired)
    const licences = await count(
      `SELECT count(*) AS n FROM licences l JOIN orders o ON o.id = l.order_id WHERE o.stripe_checkout_session_id = $1`,
      [session.id]
    )
    const [order] = await q<{ status: string }>(
      'SELECT status FROM orders WHERE stripe_checkout_session_id = $1',
      [session.id]
    )
    const sales = await count(
      `SELECT count(DISTINCT group_id) AS n FROM ledger_entries e JOIN orders o ON o.id = e.order_id WHERE o.stripe_checkout_session_id = $1 AND e.kind = 'sale'`,
      [session.id]
    )
    return {
      once: 'n/a',
      licences: `${licences}/1`,
      note: `order ${order?.status}, ${sales} sale group(s), answers ${statuses.join(' ')}`,
    }
  })
}
