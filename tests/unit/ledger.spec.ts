import { test } from '@japa/runner'
import { platformFee, splitBySeconds, splitSale } from '#app/commerce/ledger_split'

const AWKWARD = [1, 2, 3, 7, 99, 999, 1001, 4999, 9999, 10_001, 123_457]
/** Seven creators with uneven seconds, listed out of id order on purpose. */
const SEVEN = [
  { creatorId: 7, seconds: 3.3 },
  { creatorId: 2, seconds: 12.5 },
  { creatorId: 5, seconds: 0.001 },
  { creatorId: 1, seconds: 59.999 },
  { creatorId: 4, seconds: 7 },
  { creatorId: 3, seconds: 7 },
  { creatorId: 6, seconds: 120.25 },
]

function sum(values: number[]) {
  return values.reduce((total, value) => total + value, 0)
}

test.group('Ledger split', () => {
  test('the platform fee is 20% rounded half up', ({ assert }) => {
    assert.equal(platformFee(1000, 2000), 200)
    assert.equal(platformFee(1, 2000), 0)
    assert.equal(platformFee(3, 2000), 1) // 0.6 → 1
    assert.equal(platformFee(999, 2000), 200) // 199.8
    assert.equal(platformFee(1001, 2000), 200) // 200.2
    assert.equal(platformFee(9999, 2000), 2000) // 1999.8
    assert.equal(platformFee(25, 2000), 5)
    assert.equal(platformFee(1, 5000), 1) // 0.5 → 1
    assert.equal(platformFee(4999, 0), 0)
    assert.equal(platformFee(4999, 10_000), 4999)
  })

  test('every part sums to the amount for awkward amounts and seven uneven creators', ({
    assert,
  }) => {
    for (const amount of AWKWARD) {
      for (const bps of [0, 1, 1500, 2000, 3333, 10_000]) {
        const split = splitSale(amount, bps, SEVEN)
        assert.equal(
          split.platformFeeCents + sum(split.shares.map((share) => share.cents)),
          amount,
          `${amount} at ${bps}`
        )
        assert.isTrue(
          split.shares.every((share) => share.cents > 0 && Number.isInteger(share.cents))
        )
      }
    }
  })

  test('shares follow the seconds: each within one cent of the exact proportion', ({ assert }) => {
    const total = 7999
    const seconds = sum(SEVEN.map((creator) => creator.seconds))
    const shares = splitBySeconds(total, SEVEN)
    for (const { creatorId, cents } of shares) {
      const exact =
        (total * SEVEN.find((creator) => creator.creatorId === creatorId)!.seconds) / seconds
      assert.isBelow(Math.abs(cents - exact), 1, `creator ${creatorId}`)
    }
    assert.deepEqual(
      shares.map((share) => share.creatorId),
      [1, 2, 3, 4, 5, 6, 7]
    )
  })

  test('999 cents at 20%: 200 to the platform, 799 split 2:1 as 533 and 266', ({ assert }) => {
    const split = splitSale(999, 2000, [
      { creatorId: 10, seconds: 20 },
      { creatorId: 11, seconds: 10 },
    ])
    assert.deepEqual(split, {
      amountCents: 999,
      platformFeeCents: 200,
      shares: [
        { creatorId: 10, cents: 533 },
        { creatorId: 11, cents: 266 },
      ],
    })
  })

  test('ties go to the lower creator id, whatever the input order', ({ assert }) => {
    const creators = [
      { creatorId: 9, seconds: 5 },
      { creatorId: 3, seconds: 5 },
      { creatorId: 6, seconds: 5 },
    ]
    // 100 / 3 = 33 r 1: the one cent left goes to creator 3.
    assert.deepEqual(splitBySeconds(100, creators), [
      { creatorId: 3, cents: 34 },
      { creatorId: 6, cents: 33 },
      { creatorId: 9, cents: 33 },
    ])
    assert.deepEqual(splitBySeconds(100, [...creators].reverse()), splitBySeconds(100, creators))
    // 2 cents over three equal creators: the two lowest ids get one each.
    assert.deepEqual(
      splitBySeconds(2, creators).map((share) => share.cents),
      [1, 1, 0]
    )
  })

  test('several clips of one creator add up before the split', ({ assert }) => {
    const shares = splitBySeconds(300, [
      { creatorId: 1, seconds: 10 },
      { creatorId: 2, seconds: 10 },
      { creatorId: 1, seconds: 10 },
    ])
    assert.deepEqual(shares, [
      { creatorId: 1, cents: 200 },
      { creatorId: 2, cents: 100 },
    ])
  })

  test('a creator with zero seconds gets nothing; all zero share equally', ({ assert }) => {
    assert.deepEqual(
      splitSale(1001, 2000, [
        { creatorId: 1, seconds: 0 },
        { creatorId: 2, seconds: 4 },
      ]).shares,
      [{ creatorId: 2, cents: 801 }]
    )
    const equal = splitSale(1001, 2000, [
      { creatorId: 4, seconds: 0 },
      { creatorId: 8, seconds: 0 },
    ])
    assert.deepEqual(equal.shares, [
      { creatorId: 4, cents: 401 },
      { creatorId: 8, cents: 400 },
    ])
  })

  test('one cent: the fee rounds to zero and the only creator gets it', ({ assert }) => {
    assert.deepEqual(splitSale(1, 2000, [{ creatorId: 5, seconds: 1 }]), {
      amountCents: 1,
      platformFeeCents: 0,
      shares: [{ creatorId: 5, cents: 1 }],
    })
    // Three cents over seven creators: three creators get a cent, in remainder order.
    const split = splitSale(3, 2000, SEVEN)
    assert.equal(split.platformFeeCents, 1)
    assert.equal(sum(split.shares.map((share) => share.cents)), 2)
    assert.deepEqual(
      split.shares.map((share) => share.creatorId),
      [1, 6]
    )
  })

  test('without creators the platform keeps the whole amount', ({ assert }) => {
    assert.deepEqual(splitSale(999, 2000, []), {
      amountCents: 999,
      platformFeeCents: 999,
      shares: [],
    })
  })

  test('refuses fractional or negative cents and impossible commissions', ({ assert }) => {
    assert.throws(() => platformFee(10.5, 2000), /whole cents/)
    assert.throws(() => platformFee(-1, 2000), /whole cents/)
    assert.throws(() => platformFee(100, 10_001), /basis points/)
    assert.throws(() => splitBySeconds(100, [{ creatorId: 1, seconds: -1 }]), /seconds/)
  })

  test('property: over random clip lengths, prices and commissions the parts always sum to the amount', ({
    assert,
  }) => {
    // A small seeded generator (mulberry32): the same 2,000 cases on every run, any failure reproducible.
    let seed = 0x5eed_2026
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
    }
    const int = (max: number) => Math.floor(random() * (max + 1))
    for (let run = 0; run < 2_000; run++) {
      const amount = [int(5), int(999), int(99_999), int(10_000_000)][run % 4]
      const commission = run % 5 === 0 ? 2000 : int(10_000)
      // Clips of up to 3 h, milliseconds allowed, some of zero length; several per creator.
      const clips = Array.from({ length: 1 + int(15) }, () => ({
        creatorId: 1 + int(6),
        seconds: run % 7 === 0 ? 0 : int(10_800_000) / 1000,
        licensable: random() > 0.25,
      }))
      // Only clips licensable at the moment of sale weigh in the split (LedgerService.creatorWeights).
      const weights = clips.filter((clip) => clip.licensable)
      const split = splitSale(amount, commission, weights)
      const label = `run ${run}: ${amount} at ${commission} bps over ${JSON.stringify(weights)}`
      assert.equal(
        split.platformFeeCents + sum(split.shares.map((share) => share.cents)),
        amount,
        label
      )
      for (const share of split.shares) {
        assert.isTrue(Number.isSafeInteger(share.cents) && share.cents > 0, label)
        assert.isTrue(
          weights.some((clip) => clip.creatorId === share.creatorId),
          `${label}: a creator without a licensable clip was paid`
        )
      }
      assert.equal(
        new Set(split.shares.map((share) => share.creatorId)).size,
        split.shares.length,
        label
      )
    }
  })
})
