import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import Stripe from 'stripe'

/**
 * A small Stripe of our own for tests and the local demo. It speaks Stripe's wire format for
 * the endpoints Athera calls (form-encoded requests in bracket notation, JSON objects with an
 * `object` field, Bearer authentication, Stripe-style error JSON, `Idempotency-Key`), keeps
 * its state in memory, serves a hosted checkout page whose "Pay" button completes the session
 * and delivers `checkout.session.completed` signed with the real stripe library, and offers a
 * test API (methods here, or `POST /_test/...`) to refund and to redeliver events.
 *
 * Endpoints: checkout sessions (create, retrieve, expire), payment intents (retrieve), accounts
 * (create, retrieve), account links (create; the link opens a one-click onboarding page),
 * transfers (create, retrieve, reversals), refunds (create).
 */

type Json = Record<string, any>

export interface FakeStripeOptions {
  /** The key clients must send as `Authorization: Bearer …`. */
  secretKey?: string
  /** The secret webhook deliveries are signed with. */
  webhookSecret?: string
  /** The Connect endpoint's secret: events of connected accounts (with `account`) are signed with it. */
  connectWebhookSecret?: string
  /** Where events are delivered (the app's `/webhooks/stripe`); none: events are only kept. */
  webhookUrl?: string
  port?: number
  host?: string
}

export interface Delivery {
  eventId: string
  type: string
  status: number
  body: string
}

class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param?: string,
    readonly code?: string
  ) {
    super(message)
  }
}

const API_VERSION = '2025-09-30.clover'

function id(prefix: string) {
  return `${prefix}_test_${randomBytes(12).toString('hex')}`
}

function now() {
  return Math.floor(Date.now() / 1000)
}

/** `a[b][0][c]=1` → `{ a: { b: [{ c: '1' }] } }`: the bracket notation stripe-node writes. */
export function parseStripeForm(body: string): Json {
  const root: Json = {}
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[')
    let node: any = root
    path.forEach((segment, index) => {
      const last = index === path.length - 1
      const nextIsIndex = !last && /^\d*$/.test(path[index + 1])
      const slot = segment === '' && Array.isArray(node) ? node.length : segment
      if (last) {
        node[slot] = value
        return
      }
      node[slot] ??= nextIsIndex ? [] : {}
      node = node[slot]
    })
  }
  return root
}

export class FakeStripe {
  readonly secretKey: string
  readonly webhookSecret: string
  readonly connectWebhookSecret: string
  webhookUrl: string | undefined

  readonly sessions = new Map<string, Json>()
  readonly paymentIntents = new Map<string, Json>()
  readonly charges = new Map<string, Json>()
  readonly accounts = new Map<string, Json>()
  readonly transfers = new Map<string, Json>()
  readonly refunds = new Map<string, Json>()
  readonly disputes = new Map<string, Json>()
  /** Every event created, in order (what `resend` can deliver again). */
  readonly events: Json[] = []
  readonly deliveries: Delivery[] = []
  /** Every API request received: method, path and parsed body. */
  readonly requests: { method: string; path: string; body: Json; idempotencyKey?: string }[] = []
  /**
   * When set, API calls fail with this Stripe error: those whose path matches `path` (all by
   * default), after letting `skip` of them through, `times` times (default once); then it clears.
   */
  failNext: {
    status: number
    type: string
    message: string
    path?: RegExp
    skip?: number
    times?: number
  } | null = null

  #server: Server
  #idempotent = new Map<string, { status: number; body: Json }>()
  #onboardingReturn = new Map<string, string>()
  #base = ''

  private constructor(options: FakeStripeOptions) {
    this.secretKey = options.secretKey ?? `sk_test_fake_${randomBytes(8).toString('hex')}`
    this.webhookSecret = options.webhookSecret ?? `whsec_fake_${randomBytes(16).toString('hex')}`
    this.connectWebhookSecret =
      options.connectWebhookSecret ?? `whsec_fake_connect_${randomBytes(16).toString('hex')}`
    this.webhookUrl = options.webhookUrl
    this.#server = createServer((request, response) => {
      this.#route(request, response).catch((error) => {
        response.statusCode = 500
        response.setHeader('content-type', 'application/json')
        response.end(
          JSON.stringify({ error: { type: 'api_error', message: String(error?.message ?? error) } })
        )
      })
    })
  }

  /** Starts a fake on a free port (or `options.port`) of loopback. */
  static async start(options: FakeStripeOptions = {}) {
    const fake = new FakeStripe(options)
    const host = options.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject)
      fake.#server.listen(options.port ?? 0, host, () => resolve())
    })
    const { port } = fake.#server.address() as AddressInfo
    fake.#base = `http://${host}:${port}`
    return fake
  }

  /** scheme://host:port, for STRIPE_API_BASE. */
  get url() {
    return this.#base
  }

  /** The settings the app's StripeService takes to talk to this fake. */
  get settings() {
    return {
      secretKey: this.secretKey,
      webhookSecret: this.webhookSecret,
      connectWebhookSecret: this.connectWebhookSecret,
      apiBase: this.#base,
    }
  }

  async stop() {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  // ------------------------------------------------------------------ test API

  /** Completes an open session as the hosted page's "Pay" button does; returns the delivery. */
  async pay(sessionId: string) {
    const session = this.sessions.get(sessionId)
    if (!session) throw new Error(`no checkout session ${sessionId}`)
    if (session.status !== 'open')
      throw new Error(`checkout session ${sessionId} is ${session.status}`)
    const intent: Json = {
      id: id('pi'),
      object: 'payment_intent',
      amount: session.amount_total,
      amount_received: session.amount_total,
      currency: session.currency,
      status: 'succeeded',
      metadata: session.payment_intent_data?.metadata ?? {},
      transfer_group: session.payment_intent_data?.transfer_group ?? null,
      latest_charge: null,
      created: now(),
      livemode: false,
    }
    const charge: Json = {
      id: id('ch'),
      object: 'charge',
      amount: session.amount_total,
      amount_captured: session.amount_total,
      amount_refunded: 0,
      currency: session.currency,
      disputed: false,
      paid: true,
      captured: true,
      refunded: false,
      status: 'succeeded',
      payment_intent: intent.id,
      transfer_group: intent.transfer_group,
      metadata: {},
      created: now(),
      livemode: false,
    }
    intent.latest_charge = charge.id
    this.paymentIntents.set(intent.id, intent)
    this.charges.set(charge.id, charge)
    Object.assign(session, {
      status: 'complete',
      payment_status: 'paid',
      payment_intent: intent.id,
    })
    const event = this.event('checkout.session.completed', session)
    return { session, charge, intent, event, delivery: await this.deliver(event) }
  }

  /**
   * Refunds a charge (as the dashboard would), in full or `amount` of it, and delivers
   * `charge.refunded`: Stripe sends that event for partial refunds too, the charge carrying
   * the running `amount_refunded` and `refunded: false` until all of it is refunded.
   */
  async refund(chargeId: string, amount?: number) {
    const refund = this.#refund(
      amount === undefined ? { charge: chargeId } : { charge: chargeId, amount }
    )
    const event = this.event('charge.refunded', this.charges.get(chargeId)!)
    return { refund, event, delivery: await this.deliver(event) }
  }

  /**
   * The buyer's bank disputes a charge (the whole amount by default): Stripe marks the charge
   * `disputed` and delivers `charge.dispute.created` carrying the dispute.
   */
  async dispute(chargeId: string, options: { amount?: number; reason?: string } = {}) {
    const charge = this.charges.get(chargeId)
    if (!charge) throw new Error(`no charge ${chargeId}`)
    const dispute: Json = {
      id: id('dp'),
      object: 'dispute',
      amount: options.amount ?? charge.amount - charge.amount_refunded,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      reason: options.reason ?? 'fraudulent',
      status: 'needs_response',
      is_charge_refundable: false,
      balance_transactions: [],
      evidence_details: {
        due_by: now() + 7 * 86_400,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      metadata: {},
      created: now(),
      livemode: false,
    }
    charge.disputed = true
    this.disputes.set(dispute.id, dispute)
    const event = this.event('charge.dispute.created', dispute)
    return { dispute, event, delivery: await this.deliver(event) }
  }

  /** The bank decides a dispute (`won`, `lost` or `warning_closed`): `charge.dispute.closed`. */
  async closeDispute(disputeId: string, status: 'won' | 'lost' | 'warning_closed') {
    const dispute = this.disputes.get(disputeId)
    if (!dispute) throw new Error(`no dispute ${disputeId}`)
    dispute.status = status
    const event = this.event('charge.dispute.closed', dispute)
    return { dispute, event, delivery: await this.deliver(event) }
  }

  /** Marks a connected account ready (or not) and delivers `account.updated`. */
  async setAccountReady(accountId: string, ready = true) {
    const account = this.accounts.get(accountId)
    if (!account) throw new Error(`no account ${accountId}`)
    Object.assign(account, {
      details_submitted: ready,
      charges_enabled: ready,
      payouts_enabled: ready,
      capabilities: { transfers: ready ? 'active' : 'inactive' },
    })
    // Stripe sends a connected account's events to the Connect endpoint, naming the account.
    const event = Object.assign(this.event('account.updated', account), { account: accountId })
    return { account, event, delivery: await this.deliver(event) }
  }

  /**
   * A payout of a connected account's balance to its bank, at `status`, delivered as Stripe
   * sends events of connected accounts: `payout.<type>` carrying `account`. Returns the payout
   * (pass its `id` back to move the same payout on).
   */
  async connectedPayout(
    accountId: string,
    fields: {
      id?: string
      amount: number
      status: string
      currency?: string
      arrival_date?: number
    },
    type = 'payout.updated'
  ) {
    if (!this.accounts.has(accountId)) throw new Error(`no account ${accountId}`)
    const payout = {
      id: fields.id ?? id('po'),
      object: 'payout',
      amount: fields.amount,
      currency: fields.currency ?? 'usd',
      status: fields.status,
      arrival_date: fields.arrival_date ?? now() + 2 * 86_400,
      method: 'standard',
      type: 'bank_account',
      created: now(),
      livemode: false,
    }
    const event = Object.assign(this.event(type, payout), { account: accountId })
    return { payout, event, delivery: await this.deliver(event) }
  }

  /** A connected account that is ready from the start (no webhook): for test fixtures. */
  readyAccount(email = 'creator@athera.test') {
    const account = this.#account({ type: 'express', email })
    Object.assign(account, {
      details_submitted: true,
      charges_enabled: true,
      payouts_enabled: true,
      capabilities: { transfers: 'active' },
    })
    return account
  }

  /** Creates an event (a snapshot of `object`) without delivering it. */
  event(type: string, object: Json) {
    const event = {
      id: id('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: now(),
      type,
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    }
    this.events.push(event)
    return event
  }

  /** Delivers an event again, as Stripe does on a retry (same id, fresh signature). */
  resend(eventId: string) {
    const event = this.events.find((candidate) => candidate.id === eventId)
    if (!event) throw new Error(`no event ${eventId}`)
    return this.deliver(event)
  }

  /**
   * Posts an event to the webhook URL, signed with `secret` at `timestamp` (defaults: the
   * webhook secret — the Connect one for an event of a connected account —, now). Other
   * values make forged or stale deliveries for tests.
   */
  async deliver(
    event: Json,
    options: { secret?: string; timestamp?: number; signature?: string } = {}
  ): Promise<Delivery> {
    if (!this.webhookUrl)
      return { eventId: event.id, type: event.type, status: 0, body: 'no webhook URL' }
    const payload = JSON.stringify(event, null, 2)
    const signature =
      options.signature ??
      Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: options.secret ?? (event.account ? this.connectWebhookSecret : this.webhookSecret),
        timestamp: options.timestamp ?? now(),
      })
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signature,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
    })
    const delivery = {
      eventId: event.id,
      type: event.type,
      status: response.status,
      body: await response.text(),
    }
    this.deliveries.push(delivery)
    return delivery
  }

  // ------------------------------------------------------------------ HTTP

  async #route(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', this.#base)
    const raw = await readBody(request)
    const method = request.method ?? 'GET'
    const path = url.pathname

    if (path.startsWith('/pay/'))
      return this.#hostedCheckout(method, decodeURIComponent(path.slice(5)), response)
    if (path.startsWith('/onboarding/'))
      return this.#hostedOnboarding(method, decodeURIComponent(path.slice(12)), response)
    if (path.startsWith('/_test/')) return this.#testApi(method, path, response)
    if (!path.startsWith('/v1/'))
      return send(response, 404, {
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}).`,
        },
      })

    const body = method === 'GET' ? parseStripeForm(url.search.slice(1)) : parseStripeForm(raw)
    const key = request.headers['idempotency-key']
    this.requests.push({
      method,
      path,
      body,
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
    })
    const idempotencyKey = typeof key === 'string' && method === 'POST' ? `${path} ${key}` : null
    const cached = idempotencyKey ? this.#idempotent.get(idempotencyKey) : undefined
    if (cached) return send(response, cached.status, cached.body, { 'idempotent-replayed': 'true' })

    let status = 200
    let result: Json
    try {
      this.#authenticate(request.headers.authorization)
      const failure = this.failNext
      if (failure && (!failure.path || failure.path.test(path))) {
        if (failure.skip) {
          failure.skip -= 1
        } else {
          failure.times = (failure.times ?? 1) - 1
          if (failure.times <= 0) this.failNext = null
          throw new StripeFailure(failure.status, failure.type, failure.message)
        }
      }
      result = this.#api(method, path.slice(3), body)
    } catch (error) {
      if (!(error instanceof StripeFailure)) throw error
      status = error.status
      result = {
        error: {
          type: error.type,
          message: error.message,
          ...(error.param ? { param: error.param } : {}),
          ...(error.code ? { code: error.code } : {}),
        },
      }
    }
    // Stripe replays a key's first answer, errors included, except server errors.
    if (idempotencyKey && status < 500)
      this.#idempotent.set(idempotencyKey, { status, body: result })
    return send(response, status, result, { 'request-id': id('req') })
  }

  #authenticate(header: string | undefined) {
    const token = header?.match(/^Bearer (.+)$/)?.[1]
    if (!token)
      throw new StripeFailure(401, 'invalid_request_error', 'You did not provide an API key.')
    if (token !== this.secretKey) {
      throw new StripeFailure(
        401,
        'invalid_request_error',
        `Invalid API Key provided: ${token.slice(0, 8)}****`,
        undefined,
        'api_key_invalid'
      )
    }
  }

  #api(method: string, path: string, body: Json): Json {
    const routes: [string, RegExp, (id: string) => Json][] = [
      ['POST', /^\/checkout\/sessions$/, () => this.#createSession(body)],
      [
        'GET',
        /^\/checkout\/sessions\/([^/]+)$/,
        (key) => found(this.sessions, key, 'checkout.session'),
      ],
      ['POST', /^\/checkout\/sessions\/([^/]+)\/expire$/, (key) => this.#expireSession(key)],
      [
        'GET',
        /^\/payment_intents\/([^/]+)$/,
        (key) => found(this.paymentIntents, key, 'payment_intent'),
      ],
      ['GET', /^\/charges\/([^/]+)$/, (key) => found(this.charges, key, 'charge')],
      ['POST', /^\/accounts$/, () => this.#account(body)],
      ['GET', /^\/accounts\/([^/]+)$/, (key) => found(this.accounts, key, 'account')],
      ['POST', /^\/account_links$/, () => this.#accountLink(body)],
      ['POST', /^\/transfers$/, () => this.#transfer(body)],
      ['GET', /^\/transfers\/([^/]+)$/, (key) => found(this.transfers, key, 'transfer')],
      ['POST', /^\/transfers\/([^/]+)\/reversals$/, (key) => this.#reversal(key, body)],
      ['POST', /^\/refunds$/, () => this.#refund(body)],
      ['GET', /^\/disputes\/([^/]+)$/, (key) => found(this.disputes, key, 'dispute')],
    ]
    for (const [verb, pattern, handle] of routes) {
      const match = verb === method ? pattern.exec(path) : null
      if (match) return handle(decodeURIComponent(match[1] ?? ''))
    }
    throw new StripeFailure(
      404,
      'invalid_request_error',
      `Unrecognized request URL (${method}: /v1${path}).`
    )
  }

  #createSession(body: Json) {
    if (body.mode !== 'payment')
      throw required('mode', 'Missing required param: mode (this fake supports "payment").')
    if (!body.success_url) throw required('success_url', 'Missing required param: success_url.')
    const items: Json[] = body.line_items ?? []
    if (!items.length) throw required('line_items', 'Missing required param: line_items.')
    let total = 0
    let currency = ''
    items.forEach((item, index) => {
      const price = item.price_data
      const amount = Number(price?.unit_amount)
      if (!price?.currency)
        throw required(
          `line_items[${index}][price_data][currency]`,
          'Missing required param: currency.'
        )
      if (!Number.isInteger(amount) || amount < 0)
        throw required(
          `line_items[${index}][price_data][unit_amount]`,
          'Invalid integer: unit_amount.'
        )
      if (!price.product_data?.name)
        throw required(
          `line_items[${index}][price_data][product_data][name]`,
          'Missing required param: name.'
        )
      if (amount > 0 && amount < 50)
        throw new StripeFailure(
          400,
          'invalid_request_error',
          "The Checkout Session's total amount due must add up to at least $0.50 usd",
          'line_items',
          'amount_too_small'
        )
      total += amount * Number(item.quantity ?? 1)
      currency = price.currency
    })
    const session: Json = {
      id: id('cs'),
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_subtotal: total,
      amount_total: total,
      currency,
      client_reference_id: body.client_reference_id ?? null,
      customer_email: body.customer_email ?? null,
      metadata: body.metadata ?? {},
      payment_intent: null,
      payment_intent_data: body.payment_intent_data ?? null,
      line_items_data: items,
      success_url: body.success_url,
      cancel_url: body.cancel_url ?? null,
      created: now(),
      expires_at: now() + 24 * 3600,
      livemode: false,
    }
    session.url = `${this.#base}/pay/${session.id}`
    this.sessions.set(session.id, session)
    return session
  }

  #expireSession(sessionId: string) {
    const session = found(this.sessions, sessionId, 'checkout.session')
    if (session.status !== 'open') {
      throw new StripeFailure(
        400,
        'invalid_request_error',
        `Only Checkout Sessions with a status of "open" can be expired. This session has a status of "${session.status}".`
      )
    }
    session.status = 'expired'
    return session
  }

  #account(body: Json) {
    const account: Json = {
      id: `acct_${randomBytes(8).toString('hex')}`,
      object: 'account',
      type: body.type ?? 'express',
      email: body.email ?? null,
      country: body.country ?? 'US',
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { transfers: 'inactive' },
      metadata: body.metadata ?? {},
      created: now(),
    }
    this.accounts.set(account.id, account)
    return account
  }

  #accountLink(body: Json) {
    if (!this.accounts.has(body.account))
      throw new StripeFailure(
        400,
        'invalid_request_error',
        `No such account: '${body.account}'`,
        'account',
        'resource_missing'
      )
    if (!body.refresh_url || !body.return_url)
      throw required('return_url', 'Missing required param: refresh_url and return_url.')
    this.#onboardingReturn.set(body.account, body.return_url)
    return {
      object: 'account_link',
      url: `${this.#base}/onboarding/${body.account}`,
      created: now(),
      expires_at: now() + 300,
    }
  }

  #transfer(body: Json) {
    const amount = Number(body.amount)
    if (!Number.isInteger(amount) || amount <= 0)
      throw required('amount', 'Invalid positive integer: amount.')
    if (!body.currency) throw required('currency', 'Missing required param: currency.')
    const destination = this.accounts.get(body.destination)
    if (!destination)
      throw new StripeFailure(
        400,
        'invalid_request_error',
        `No such destination: '${body.destination}'`,
        'destination',
        'resource_missing'
      )
    if (destination.capabilities?.transfers !== 'active') {
      throw new StripeFailure(
        400,
        'invalid_request_error',
        'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
        'destination'
      )
    }
    if (body.source_transaction) {
      const charge = this.charges.get(body.source_transaction)
      if (!charge)
        throw new StripeFailure(
          400,
          'invalid_request_error',
          `No such charge: '${body.source_transaction}'`,
          'source_transaction',
          'resource_missing'
        )
      const transferred = [...this.transfers.values()]
        .filter((transfer) => transfer.source_transaction === charge.id)
        .reduce((sum, transfer) => sum + transfer.amount - transfer.amount_reversed, 0)
      if (transferred + amount > charge.amount - charge.amount_refunded) {
        throw new StripeFailure(
          400,
          'invalid_request_error',
          'The transfer amount exceeds the charge amount available to transfer.',
          'amount'
        )
      }
    }
    const transfer: Json = {
      id: id('tr'),
      object: 'transfer',
      amount,
      amount_reversed: 0,
      currency: body.currency,
      destination: destination.id,
      source_transaction: body.source_transaction ?? null,
      transfer_group: body.transfer_group ?? null,
      metadata: body.metadata ?? {},
      reversed: false,
      reversals: { object: 'list', data: [], has_more: false, url: '' },
      created: now(),
      livemode: false,
    }
    transfer.reversals.url = `/v1/transfers/${transfer.id}/reversals`
    this.transfers.set(transfer.id, transfer)
    return transfer
  }

  #reversal(transferId: string, body: Json) {
    const transfer = this.transfers.get(transferId)
    if (!transfer)
      throw new StripeFailure(
        404,
        'invalid_request_error',
        `No such transfer: '${transferId}'`,
        'id',
        'resource_missing'
      )
    const left = transfer.amount - transfer.amount_reversed
    const amount = body.amount === undefined ? left : Number(body.amount)
    if (left === 0 || amount > left)
      throw new StripeFailure(
        400,
        'invalid_request_error',
        'The transfer has already been fully reversed.',
        'amount'
      )
    const reversal = {
      id: id('trr'),
      object: 'transfer_reversal',
      amount,
      currency: transfer.currency,
      transfer: transfer.id,
      metadata: body.metadata ?? {},
      created: now(),
    }
    transfer.amount_reversed += amount
    transfer.reversed = transfer.amount_reversed === transfer.amount
    transfer.reversals.data.unshift(reversal)
    return reversal
  }

  #refund(body: Json) {
    const chargeId = body.charge ?? this.paymentIntents.get(body.payment_intent)?.latest_charge
    const charge = chargeId ? this.charges.get(chargeId) : undefined
    if (!charge)
      throw new StripeFailure(
        400,
        'invalid_request_error',
        `No such charge: '${body.charge ?? body.payment_intent}'`,
        'charge',
        'resource_missing'
      )
    const left = charge.amount - charge.amount_refunded
    const amount = body.amount === undefined ? left : Number(body.amount)
    if (left === 0)
      throw new StripeFailure(
        400,
        'invalid_request_error',
        `Charge ${charge.id} has already been refunded.`,
        'charge',
        'charge_already_refunded'
      )
    if (amount > left)
      throw new StripeFailure(
        400,
        'invalid_request_error',
        'Refund amount is greater than unrefunded amount on charge.',
        'amount'
      )
    const refund = {
      id: id('re'),
      object: 'refund',
      amount,
      charge: charge.id,
      payment_intent: charge.payment_intent,
      currency: charge.currency,
      status: 'succeeded',
      metadata: body.metadata ?? {},
      created: now(),
    }
    charge.amount_refunded += amount
    charge.refunded = charge.amount_refunded === charge.amount
    this.refunds.set(refund.id, refund)
    return refund
  }

  /** The hosted checkout: GET shows the order and a "Pay" button; POST pays and returns. */
  async #hostedCheckout(method: string, sessionId: string, response: ServerResponse) {
    const session = this.sessions.get(sessionId)
    if (!session)
      return sendHtml(
        response,
        404,
        page('Checkout not found', '<p>This checkout session does not exist.</p>')
      )
    if (method === 'POST') {
      if (session.status === 'open') await this.pay(sessionId)
      const location = String(session.success_url).replace(
        '{CHECKOUT_SESSION_ID}',
        encodeURIComponent(session.id)
      )
      response.writeHead(303, { location })
      return response.end()
    }
    const items = (session.line_items_data as Json[])
      .map(
        (item) =>
          `<li>${escape(item.price_data.product_data.name)} — ${money(Number(item.price_data.unit_amount), session.currency)}</li>`
      )
      .join('')
    const body =
      session.status === 'open'
        ? `<ul>${items}</ul><p class="total">Total: <strong>${money(session.amount_total, session.currency)}</strong></p>
           <p class="note">Test mode: no card is needed.</p>
           <form method="post" action="/pay/${escape(session.id)}"><button type="submit">Pay</button></form>
           ${session.cancel_url ? `<a href="${escape(session.cancel_url)}">Cancel and go back</a>` : ''}`
        : `<p>This checkout is ${escape(session.status)}.</p><a href="${escape(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id))}">Back to the shop</a>`
    return sendHtml(response, 200, page('Fake Stripe Checkout', body))
  }

  /** Express onboarding in one click: POST makes the account ready (`account.updated`) and returns. */
  async #hostedOnboarding(method: string, accountId: string, response: ServerResponse) {
    const account = this.accounts.get(accountId)
    if (!account)
      return sendHtml(
        response,
        404,
        page('Onboarding not found', '<p>This account does not exist.</p>')
      )
    if (method === 'POST') {
      await this.setAccountReady(accountId)
      response.writeHead(303, { location: this.#onboardingReturn.get(accountId) ?? '/' })
      return response.end()
    }
    const body = `<p>Account ${escape(account.id)} (${escape(String(account.email ?? ''))}).</p>
      <p class="note">Test mode: no identity documents are needed.</p>
      <form method="post" action="/onboarding/${escape(account.id)}"><button type="submit">Complete onboarding</button></form>`
    return sendHtml(response, 200, page('Fake Stripe Express onboarding', body))
  }

  /** The test API over HTTP, for the demo: refund a charge, redeliver an event. */
  async #testApi(method: string, path: string, response: ServerResponse) {
    if (method !== 'POST')
      return send(response, 405, { error: { type: 'invalid_request_error', message: 'POST only' } })
    const [, , action, target] = path.split('/')
    try {
      if (action === 'refund')
        return send(response, 200, await this.refund(decodeURIComponent(target)))
      if (action === 'resend')
        return send(response, 200, await this.resend(decodeURIComponent(target)))
      if (action === 'ready')
        return send(response, 200, await this.setAccountReady(decodeURIComponent(target)))
    } catch (error) {
      return send(response, 400, {
        error: { type: 'invalid_request_error', message: (error as Error).message },
      })
    }
    return send(response, 404, {
      error: { type: 'invalid_request_error', message: `unknown test action ${action}` },
    })
  }
}

function required(param: string, message: string) {
  return new StripeFailure(400, 'invalid_request_error', message, param, 'parameter_missing')
}

function found(map: Map<string, Json>, key: string, object: string) {
  const value = map.get(key)
  if (!value)
    throw new StripeFailure(
      404,
      'invalid_request_error',
      `No such ${object.replace('.', ' ').replace('_', ' ')}: '${key}'`,
      'id',
      'resource_missing'
    )
  return value
}

async function readBody(request: IncomingMessage) {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function send(
  response: ServerResponse,
  status: number,
  body: Json,
  headers: Record<string, string> = {}
) {
  response.writeHead(status, {
    'content-type': 'application/json',
    'stripe-version': API_VERSION,
    ...headers,
  })
  response.end(JSON.stringify(body))
}

function sendHtml(response: ServerResponse, status: number, html: string) {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
  response.end(html)
}

function money(cents: number, currency: string) {
  return new Intl.NumberFormat('en', {
    style: 'currency',
    currency: currency.toUpperCase(),
  }).format(cents / 100)
}

function escape(value: string) {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;background:#f6f9fc;color:#1a1f36;max-width:28rem;margin:4rem auto;padding:2rem;background-clip:padding-box}
main{background:#fff;border-radius:12px;padding:2rem;box-shadow:0 4px 24px rgba(0,0,0,.08)}h1{font-size:1.2rem}
button{background:#635bff;color:#fff;border:0;border-radius:6px;padding:.75rem 1.5rem;font-size:1rem;width:100%;cursor:pointer;margin:1rem 0}
.note{color:#697386;font-size:.85rem}</style></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`
}
