/**
 * How one sale's amount is shared, in integer cents: the platform fee (commission in basis
 * points, rounded half up) and the creators' remainder split by their clips' seconds with the
 * largest-remainder method. Pure: no database, no clock, no randomness.
 */

export interface CreatorWeight {
  creatorId: number
  /** Seconds of this creator's clips in the version (decimals allowed; milliseconds count). */
  seconds: number
}

export interface SaleSplit {
  amountCents: number
  platformFeeCents: number
  /** Creators with a positive share, by creator id; zero shares are left out. */
  shares: { creatorId: number; cents: number }[]
}

/** The platform's cut of `amountCents` at `commissionBps` (2000 = 20%), rounded half up. */
export function platformFee(amountCents: number, commissionBps: number) {
  assertCents(amountCents, 'amount')
  if (!Number.isInteger(commissionBps) || commissionBps < 0 || commissionBps > 10_000) {
    throw new RangeError(`commission must be 0..10000 basis points, got ${commissionBps}`)
  }
  return Number((BigInt(amountCents) * BigInt(commissionBps) + 5_000n) / 10_000n)
}

/**
 * Splits `totalCents` between creators in proportion to their seconds. Each gets the floor
 * of the exact share; the cents left over go one each to the largest remainders, ties to the
 * lower creator id, so the shares always sum to the total and the same input gives the same
 * output. When every creator has zero seconds, they share equally (by the same rule).
 */
export function splitBySeconds(totalCents: number, creators: CreatorWeight[]) {
  assertCents(totalCents, 'total')
  const merged = new Map<number, bigint>()
  for (const { creatorId, seconds } of creators) {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError(`seconds must be ≥ 0, got ${seconds}`)
    // Milliseconds as integers: exact arithmetic from here on.
    merged.set(creatorId, (merged.get(creatorId) ?? 0n) + BigInt(Math.round(seconds * 1000)))
  }
  const ordered = [...merged].sort(([a], [b]) => a - b)
  if (ordered.length === 0) {
    if (totalCents !== 0) throw new RangeError('there is no creator to receive the share')
    return []
  }
  let weightSum = ordered.reduce((sum, [, weight]) => sum + weight, 0n)
  const weights = weightSum === 0n ? ordered.map(([id]) => [id, 1n] as const) : ordered
  if (weightSum === 0n) weightSum = BigInt(ordered.length)

  const total = BigInt(totalCents)
  const parts = weights.map(([creatorId, weight], index) => ({
    creatorId,
    index,
    cents: (total * weight) / weightSum,
    remainder: (total * weight) % weightSum,
  }))
  let left = total - parts.reduce((sum, part) => sum + part.cents, 0n)
  const byRemainder = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1
  )
  for (const part of byRemainder) {
    if (left === 0n) break
    part.cents += 1n
    left -= 1n
  }
  return parts.map(({ creatorId, cents }) => ({ creatorId, cents: Number(cents) }))
}

/**
 * The whole split of a sale. Without creators (a version with no clips) the platform keeps
 * the amount, so the sale still balances.
 */
export function splitSale(
  amountCents: number,
  commissionBps: number,
  creators: CreatorWeight[]
): SaleSplit {
  const fee = creators.length === 0 ? amountCents : platformFee(amountCents, commissionBps)
  const shares = splitBySeconds(amountCents - fee, creators).filter((share) => share.cents > 0)
  return { amountCents, platformFeeCents: fee, shares }
}

function assertCents(value: number, name: string) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be whole cents ≥ 0, got ${value}`)
}
