import { test } from '@japa/runner'
import { DEFAULT_VISION_SETTINGS, resolveVisionSettings } from '#workers/vision/settings'

test.group('Vision settings / resolveVisionSettings', () => {
  test('nothing set gives the defaults with the cache folder', ({ assert }) => {
    assert.deepEqual(resolveVisionSettings({ cacheDir: '/models' }), {
      ...DEFAULT_VISION_SETTINGS,
      cacheDir: '/models',
    })
  })

  test('undefined leaves a default, at the top and inside a group', ({ assert }) => {
    const settings = resolveVisionSettings({
      cacheDir: '/models',
      threads: undefined,
      provider: undefined,
      faces: { threshold: undefined, ssdEvery: 1 },
      pose: { model: undefined },
    })
    assert.equal(settings.threads, DEFAULT_VISION_SETTINGS.threads)
    assert.equal(settings.provider, DEFAULT_VISION_SETTINGS.provider)
    assert.deepEqual(settings.faces, { ...DEFAULT_VISION_SETTINGS.faces, ssdEvery: 1 })
    assert.deepEqual(settings.pose, DEFAULT_VISION_SETTINGS.pose)
  })

  test('a group set in part keeps its other fields', ({ assert }) => {
    const settings = resolveVisionSettings({
      cacheDir: '/models',
      detectEvery: 1,
      blur: 'pixelate',
      text: { mode: 'all' },
      pose: { model: 'heavy' },
      faces: { tiles: false },
    })
    assert.equal(settings.detectEvery, 1)
    assert.equal(settings.blur, 'pixelate')
    assert.deepEqual(settings.text, { mode: 'all' })
    assert.deepEqual(settings.pose, {
      model: 'heavy',
      invertedSports: DEFAULT_VISION_SETTINGS.pose.invertedSports,
    })
    assert.deepEqual(settings.faces, { ...DEFAULT_VISION_SETTINGS.faces, tiles: false })
    assert.notStrictEqual(settings.faces, DEFAULT_VISION_SETTINGS.faces)
  })

  test('resolving a resolved set with one change changes only that', ({ assert }) => {
    const base = resolveVisionSettings({ cacheDir: '/m', threads: 4, lane: false, margin: 0.1 })
    const again = resolveVisionSettings({ ...base, text: { mode: 'numbers' } })
    assert.deepEqual(again, { ...base, text: { mode: 'numbers' } })
  })

  test('an empty list of inverted sports is kept, not replaced by the default', ({ assert }) => {
    assert.deepEqual(
      resolveVisionSettings({ cacheDir: '/m', pose: { invertedSports: [] } }).pose.invertedSports,
      []
    )
  })
})
