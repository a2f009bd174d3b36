import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import env from '#start/env'
import Transfer from '#models/transfer'
import User from '#models/user'
import type DatasetVersion from '#models/dataset_version'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import type { FakeStripe } from '#tests/helpers/fake_stripe'
import { useFakeStripe, versionOf, withoutStripe } from '#tests/functional/commerce/helpers'
import { buy } from './helpers.js'

const APP_URL = env.get('APP_URL').replace(/\/$/, '')
const ONBOARDING = /\/onboarding\/(acct_[0-9a-f]+)$/

/** The creator presses "Connect with Stripe": the app's answer and the account it points at. */
async function connect(client: ApiClient, creator: User) {
  const response = await client
    .post('/creator/stripe/connect')
    .loginAs(creator)
    .withCsrfToken()
    .redirects(0)
  return { response, accountId: ONBOARDING.exec(response.header('location') ?? '')?.[1] }
}

/** The account_links calls the fake received, oldest first. */
function links(fake: FakeStripe) {
  return fake.requests
    .filter((request) => request.path === '/v1/account_links')
    .map((request) => request.body)
}

async function statusOf(creator: User) {
  const storedUser = await User.findOrFail(creator.id)
  return storedUser.stripeAccountStatus
}

/** A sale of `version` to a new buyer, through checkout and the signed webhook. */
async function sell(client: ApiClient, fake: FakeStripe, version: DatasetVersion) {
  return buy(client, fake, await makeUser('buyer'), version)
}

test.group('Creator: Stripe Connect onboarding', (group) => {
  group.each.setup(isolate)

  test('connect creates one Express account and sends the creator to an onboarding link', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')

    const first = await connect(client, creator)
    first.response.assertStatus(303)
    assert.isDefined(first.accountId)
    assert.match(first.response.header('location')!, new RegExp(`^${fake.url}/onboarding/`))
    const stored = await User.findOrFail(creator.id)
    assert.equal(stored.stripeAccountId, first.accountId)
    assert.equal(stored.stripeAccountStatus, 'pending')
    const account = fake.accounts.get(first.accountId!)!
    assert.equal(account.type, 'express')
    assert.equal(account.email, creator.email)
    assert.equal(account.metadata.user_id, String(creator.id))
    assert.deepEqual(links(fake)[0], {
      account: first.accountId,
      type: 'account_onboarding',
      refresh_url: `${APP_URL}/creator/stripe/refresh`,
      return_url: `${APP_URL}/creator/stripe/return`,
    })

    // A second press (another tab, the back button) reuses the account with a fresh link.
    const second = await connect(client, await User.findOrFail(creator.id))
    second.response.assertStatus(303)
    assert.equal(second.accountId, first.accountId)
    assert.equal(fake.accounts.size, 1)
    assert.lengthOf(
      fake.requests.filter((request) => request.path === '/v1/accounts'),
      1
    )
    assert.lengthOf(links(fake), 2)
  })

  test('onboarding status follows account.updated: pending → ready, and back to pending when capabilities drop', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const { accountId } = await connect(client, creator)
    assert.equal(await statusOf(creator), 'pending')

    // Signed deliveries through the real webhook route.
    const ready = await fake.setAccountReady(accountId!)
    assert.equal(ready.delivery.status, 200, ready.delivery.body)
    assert.equal(await statusOf(creator), 'ready')
    const page = await client.get('/creator').loginAs(await User.findOrFail(creator.id))
    page.assertStatus(200)
    assert.include(page.text(), 'data-connect-status="ready"')
    assert.notInclude(page.text(), 'data-connect-button')

    const dropped = await fake.setAccountReady(accountId!, false)
    assert.equal(dropped.delivery.status, 200, dropped.delivery.body)
    assert.equal(await statusOf(creator), 'pending')
    const again = await client.get('/creator').loginAs(await User.findOrFail(creator.id))
    assert.include(again.text(), 'data-connect-status="pending"')
    assert.include(again.text(), 'Continue Stripe onboarding')

    // Another creator's account changing leaves this one alone.
    const other = await makeUser('creator')
    const { accountId: otherAccount } = await connect(client, other)
    await fake.setAccountReady(otherAccount!)
    assert.equal(await statusOf(creator), 'pending')
    assert.equal(await statusOf(other), 'ready')
  })

  test("account.updated comes signed with the Connect endpoint's secret; another secret is refused and changes nothing", async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const { accountId } = await connect(client, creator)
    const account = fake.accounts.get(accountId!)!
    Object.assign(account, { details_submitted: true, capabilities: { transfers: 'active' } })
    const event = Object.assign(fake.event('account.updated', account), { account: accountId })

    const forged = await fake.deliver(event, { secret: 'whsec_not_ours' })
    assert.equal(forged.status, 400)
    assert.equal(await statusOf(creator), 'pending')

    // The platform endpoint's secret is not the Connect one, but the route accepts both.
    const viaConnect = await fake.deliver(event, { secret: fake.connectWebhookSecret })
    assert.equal(viaConnect.status, 200, viaConnect.body)
    assert.equal(await statusOf(creator), 'ready')
    assert.notEqual(fake.connectWebhookSecret, fake.webhookSecret)
  })

  test('becoming ready through account.updated sends the pending balance', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const { version } = await versionOf(2500, [10], [creator])
    const { order } = await sell(client, fake, version)
    const waiting = await Transfer.findByOrFail({ orderId: order.id, creatorId: creator.id })
    assert.equal(waiting.status, 'pending')

    const { accountId } = await connect(client, creator)
    await fake.setAccountReady(accountId!)

    await waiting.refresh()
    assert.equal(waiting.status, 'paid')
    assert.equal(fake.transfers.get(waiting.stripeTransferId!)!.destination, accountId)
    assert.equal(waiting.amountCents, 2000)
  })

  test('the return page reads the account, updates the status and sends the pending balance once', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')
    const { version } = await versionOf(4000, [5], [creator])
    const { order } = await sell(client, fake, version)
    const { accountId } = await connect(client, creator)

    // Back from onboarding before Stripe finished: still pending.
    const early = await client
      .get('/creator/stripe/return')
      .loginAs(await User.findOrFail(creator.id))
      .redirects(0)
    early.assertStatus(302)
    early.assertHeader('location', '/creator')
    early.assertFlashMessage(
      'info',
      'Stripe still needs some details before transfers can start. Continue the onboarding when you are ready; your earnings wait as a pending balance.'
    )
    assert.equal(await statusOf(creator), 'pending')

    // Stripe finished, but its webhook has not arrived yet.
    const url = fake.webhookUrl
    fake.webhookUrl = undefined
    const { event } = await fake.setAccountReady(accountId!)
    fake.webhookUrl = url
    const back = await client
      .get('/creator/stripe/return')
      .loginAs(await User.findOrFail(creator.id))
      .redirects(0)
    back.assertStatus(302)
    back.assertHeader('location', '/creator')
    back.assertFlashMessage(
      'success',
      'Your Stripe account is ready: your pending balance is being transferred to it.'
    )
    assert.equal(await statusOf(creator), 'ready')
    const transfer = await Transfer.findByOrFail({ orderId: order.id, creatorId: creator.id })
    assert.equal(transfer.status, 'paid')

    // The late webhook and a second return change nothing and send nothing twice.
    const resent = await fake.resend(event.id)
    assert.equal(resent.status, 200)
    const twice = await client
      .get('/creator/stripe/return')
      .loginAs(await User.findOrFail(creator.id))
      .redirects(0)
    twice.assertFlashMessage('success', 'Your Stripe account is ready to receive transfers.')
    assert.equal(fake.transfers.size, 1)
    assert.equal(await statusOf(creator), 'ready')
  })

  test('refresh makes a fresh link for the same account; without an account it explains', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')

    const none = await client.get('/creator/stripe/refresh').loginAs(creator).redirects(0)
    none.assertStatus(302)
    none.assertHeader('location', '/creator')
    none.assertFlashMessage(
      'error',
      'You have not started Stripe onboarding yet: use "Connect with Stripe" on your dashboard.'
    )
    assert.equal(fake.accounts.size, 0, 'a GET never creates an account')

    const { accountId } = await connect(client, creator)
    const refreshed = await client
      .get('/creator/stripe/refresh')
      .loginAs(await User.findOrFail(creator.id))
      .redirects(0)
    refreshed.assertStatus(303)
    assert.match(refreshed.header('location')!, new RegExp(`/onboarding/${accountId}$`))
    assert.lengthOf(links(fake), 2)
    assert.equal(fake.accounts.size, 1)

    const noReturn = await client
      .get('/creator/stripe/return')
      .loginAs(await makeUser('creator'))
      .redirects(0)
    noReturn.assertHeader('location', '/creator')
    noReturn.assertFlashMessage(
      'error',
      'You have not started Stripe onboarding yet: use "Connect with Stripe" on your dashboard.'
    )
  })

  test('a Stripe error is a clear message, never a 500; a failed link keeps the account for the next try', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    const creator = await makeUser('creator')

    fake.failNext = {
      status: 400,
      type: 'invalid_request_error',
      message: 'Connect is not enabled on this platform.',
      path: /\/v1\/accounts$/,
    }
    const refused = await connect(client, creator)
    refused.response.assertStatus(302)
    refused.response.assertHeader('location', '/creator')
    refused.response.assertFlashMessage(
      'error',
      'Stripe refused to open your Stripe account: Connect is not enabled on this platform.'
    )
    const storedUser = await User.findOrFail(creator.id)
    assert.isNull(storedUser.stripeAccountId)

    fake.failNext = {
      status: 400,
      type: 'invalid_request_error',
      message: 'The link could not be made.',
      path: /account_links/,
    }
    const linkless = await connect(client, creator)
    linkless.response.assertStatus(302)
    linkless.response.assertFlashMessage(
      'error',
      'Stripe refused to open Stripe onboarding: The link could not be made.'
    )
    const kept = await User.findOrFail(creator.id)
    assert.isNotNull(kept.stripeAccountId)
    assert.equal(kept.stripeAccountStatus, 'pending')

    const retried = await connect(client, kept)
    retried.response.assertStatus(303)
    assert.equal(retried.accountId, kept.stripeAccountId)
    assert.equal(fake.accounts.size, 1)

    await fake.stop()
    const down = await client.get('/creator/stripe/return').loginAs(kept).redirects(0)
    down.assertStatus(302)
    down.assertHeader('location', '/creator')
    down.assertFlashMessage(
      'error',
      'Stripe cannot be reached right now, so we could not read your Stripe account. Try again in a minute.'
    )
    assert.equal(await statusOf(creator), 'pending')
  }).timeout(30_000)

  test('without Stripe keys the card says so and nothing posts', async ({
    client,
    assert,
    cleanup,
  }) => {
    withoutStripe(cleanup)
    const creator = await makeUser('creator')

    const page = await client.get('/creator').loginAs(creator)
    page.assertStatus(200)
    assert.include(page.text(), 'data-connect-unconfigured')
    assert.include(page.text(), 'Payments are not configured on this instance')
    assert.notInclude(page.text(), 'action="/creator/stripe/connect"')

    const response = await client
      .post('/creator/stripe/connect')
      .loginAs(creator)
      .withCsrfToken()
      .redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', '/creator')
    response.assertFlashMessage(
      'error',
      'Payments are not configured on this instance, so payouts cannot be set up yet. Your earnings wait as a pending balance.'
    )
    const stored = await User.findOrFail(creator.id)
    assert.isNull(stored.stripeAccountId)
    assert.equal(stored.stripeAccountStatus, 'none')
  })

  test('buyers, admins and suspended creators cannot onboard', async ({
    client,
    assert,
    cleanup,
  }) => {
    const fake = await useFakeStripe(cleanup)
    for (const role of ['buyer', 'admin'] as const) {
      const user = await makeUser(role)
      const post = await client
        .post('/creator/stripe/connect')
        .loginAs(user)
        .withCsrfToken()
        .header('referer', '/')
        .redirects(0)
      post.assertStatus(302)
      post.assertHeader('location', '/')
      const onReturn = await client.get('/creator/stripe/return').loginAs(user).redirects(0)
      onReturn.assertStatus(403)
      const onRefresh = await client.get('/creator/stripe/refresh').loginAs(user).redirects(0)
      onRefresh.assertStatus(403)
    }
    const suspended = await makeUser('suspended')
    const post = await client
      .post('/creator/stripe/connect')
      .loginAs(suspended)
      .withCsrfToken()
      .redirects(0)
    post.assertHeader('location', '/login')
    assert.equal(fake.accounts.size, 0)
  })
})
