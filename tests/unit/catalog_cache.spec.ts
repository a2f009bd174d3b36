import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { CatalogService } from '#app/catalog/catalog_service'

/** A render that resolves when told to, counting its calls. */
function controlledRender() {
  const calls: ((html: string) => void)[] = []
  const render = () =>
    new Promise<{ html: string; cacheable: boolean }>((resolve) => {
      calls.push((html) => resolve({ html, cacheable: true }))
    })
  return { render, calls }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

test.group('Catalog: the results cache', (group) => {
  group.each.setup(() => {
    CatalogService.clearCache()
    return () => CatalogService.clearCache()
  })

  test('requests that miss together share one render', async ({ assert }) => {
    const catalog = await app.container.make(CatalogService)
    const { render, calls } = controlledRender()
    const answers = Promise.all(
      Array.from({ length: 20 }, () => catalog.results('/catalog?q=x', render))
    )
    await tick()
    assert.lengthOf(calls, 1)
    calls[0]('<p>one</p>')
    assert.deepEqual(new Set(await answers), new Set(['<p>one</p>']))
    // And the next one comes from the cache.
    assert.equal(await catalog.results('/catalog?q=x', render), '<p>one</p>')
    assert.lengthOf(calls, 1)
  })

  test('an expired copy answers at once while one request refreshes it', async ({
    assert,
    cleanup,
  }) => {
    const catalog = await app.container.make(CatalogService)
    const first = controlledRender()
    const warming = catalog.results('/catalog', first.render)
    await tick()
    first.calls[0]('<p>old</p>')
    await warming

    const realNow = Date.now
    const start = realNow()
    Date.now = () => start + 6_000
    cleanup(() => {
      Date.now = realNow
    })
    const second = controlledRender()
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => catalog.results('/catalog', second.render))
    )
    assert.deepEqual(answers, Array(5).fill('<p>old</p>'))
    assert.lengthOf(second.calls, 1)
    second.calls[0]('<p>new</p>')
    await tick()
    assert.equal(await catalog.results('/catalog', second.render), '<p>new</p>')

    // Too old to serve even while refreshing: the request waits for the fresh render.
    Date.now = () => start + 60_000
    const third = controlledRender()
    const waiting = catalog.results('/catalog', third.render)
    await tick()
    assert.lengthOf(third.calls, 1)
    third.calls[0]('<p>newest</p>')
    assert.equal(await waiting, '<p>newest</p>')
  })

  test('a render that began before clearCache() is not kept after it', async ({ assert }) => {
    const catalog = await app.container.make(CatalogService)
    const before = controlledRender()
    const answer = catalog.results('/catalog', before.render)
    await tick()
    CatalogService.clearCache()
    before.calls[0]('<p>before the publication</p>')
    assert.equal(await answer, '<p>before the publication</p>')

    const after = controlledRender()
    const fresh = catalog.results('/catalog', after.render)
    await tick()
    assert.lengthOf(after.calls, 1)
    after.calls[0]('<p>after</p>')
    assert.equal(await fresh, '<p>after</p>')
  })

  test('a failed render reaches the requests that wait for it, and the next request tries again', async ({
    assert,
  }) => {
    const catalog = await app.container.make(CatalogService)
    await assert.rejects(
      () => catalog.results('/catalog', () => Promise.reject(new Error('database down'))),
      'database down'
    )
    assert.equal(
      await catalog.results('/catalog', async () => ({ html: '<p>back</p>', cacheable: true })),
      '<p>back</p>'
    )
  })
})
