/**
 * `source`'s items, up to `depth` of them asked for ahead of the consumer (while it works on
 * one, `depth - 1` more are on their way). When the consumer stops early, `stop` ends the
 * source's work (the items already asked for must settle before `source` can be returned: an
 * async generator takes requests in order). `arrived` sees each item as soon as it comes, before
 * the consumer gets to it.
 */
export async function* readAhead<T>(
  source: AsyncIterator<T>,
  depth: number,
  stop?: () => void,
  arrived?: (item: T) => void
): AsyncGenerator<T> {
  const pending: Promise<IteratorResult<T>>[] = []
  const ask = () => {
    const next = source.next()
    next.then(
      (result) => {
        if (!result.done) arrived?.(result.value)
      },
      // Awaited in order below; this only keeps a failure after an early stop from going unhandled.
      () => {}
    )
    pending.push(next)
  }
  let finished = false
  try {
    for (;;) {
      while (pending.length < depth) ask()
      const result = await pending.shift()!
      if (result.done) {
        finished = true
        return
      }
      yield result.value
    }
  } finally {
    if (!finished) stop?.()
    await Promise.allSettled(pending)
    await source.return?.()
  }
}
