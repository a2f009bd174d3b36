import { test } from '@japa/runner'
import { readAhead } from '#workers/video/read_ahead'

/** A source that counts what it is asked for and says when it was returned. */
function controlledSource(count: number, failAt?: number) {
  const state = { asked: 0, returned: false }
  async function* items() {
    try {
      for (let i = 0; i < count; i++) {
        if (i === failAt) throw new Error(`item ${i} is corrupt`)
        yield i
      }
    } finally {
      state.returned = true
    }
  }
  const inner = items()
  const source: AsyncIterator<number> = {
    next: () => {
      state.asked++
      return inner.next()
    },
    return: () => inner.return(undefined),
  }
  return { source, state }
}

test.group('Frame read-ahead', () => {
  test('yields every item in order, asking for up to the depth ahead of the consumer', async ({
    assert,
  }) => {
    const { source, state } = controlledSource(6)
    const seen: number[] = []
    const askedWhenSeen: number[] = []
    for await (const item of readAhead(source, 3)) {
      seen.push(item)
      askedWhenSeen.push(state.asked)
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5])
    // While the consumer holds item 0, items 1 and 2 have been asked for already.
    assert.equal(askedWhenSeen[0], 3)
    assert.isTrue(state.returned)
  })

  test("an early stop stops the source's work and returns it", async ({ assert }) => {
    const { source, state } = controlledSource(100)
    let stopped = 0
    for await (const item of readAhead(source, 3, () => stopped++)) {
      if (item === 1) break
    }
    assert.equal(stopped, 1)
    assert.isTrue(state.returned)
    assert.isAtMost(state.asked, 5, 'nothing asked for past the depth')
  })

  test('a failure in the source reaches the consumer at that item, not before', async ({
    assert,
  }) => {
    const { source } = controlledSource(10, 4)
    const seen: number[] = []
    let stopped = 0
    await assert.rejects(async () => {
      for await (const item of readAhead(source, 3, () => stopped++)) seen.push(item)
    }, 'item 4 is corrupt')
    assert.deepEqual(seen, [0, 1, 2, 3])
    assert.equal(stopped, 1)
  })
})
