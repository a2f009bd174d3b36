import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { modelPath } from '#workers/vision/models'
import { sessionOptions, VisionRuntime } from '#workers/vision/runtime/runtime'
import { MAX_BATCH, itemOf, runBatch } from '#workers/vision/runtime/batch'
import type { Model } from '#workers/vision/types'

/** The GPU image adds onnxruntime's CUDA provider beside the binding; the npm package has none. */
const cudaInstalled = existsSync(
  new URL(
    '../bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so',
    import.meta.resolve('onnxruntime-node')
  )
)

test.group('Vision runtime', () => {
  test('CUDA asked for where its provider is not installed: the models run on the CPU, said once', async ({
    assert,
  }) => {
    const logs: string[] = []
    const runtime = new VisionRuntime({
      provider: 'cuda',
      threads: 1,
      log: (line) => logs.push(line),
    })
    try {
      const path = await modelPath('face-short', app.makePath('models'))
      const model = await runtime.load('face-short', path)
      const outputs = await model.run({
        [model.inputNames[0]]: { data: new Float32Array(128 * 128 * 3), dims: [1, 128, 128, 3] },
      })
      assert.sameMembers(Object.keys(outputs), ['regressors', 'classificators'])
      await runtime.load('face-full', await modelPath('face-full', app.makePath('models')))
      assert.equal(runtime.provider, 'cpu')
      assert.lengthOf(logs, 1)
      assert.match(logs[0], /CUDA was requested but cannot be used .*models run on the CPU/)
      // One session per model file, shared by every caller.
      assert.strictEqual(await runtime.load('face-short', path), model)
    } finally {
      await runtime.close()
    }
  })
    .skip(cudaInstalled, "onnxruntime's CUDA provider is installed here")
    .timeout(60_000)

  test('sessions sleep between runs instead of spinning, and keep the thread count asked for', async ({
    assert,
  }) => {
    const options = sessionOptions(3)
    assert.equal(options.intraOpNumThreads, 3)
    assert.equal(options.interOpNumThreads, 1)
    assert.deepEqual(options.extra, { session: { intra_op: { allow_spinning: '0' } } })
    // The binding takes the entry: a session is created with it (it refuses values that are not strings).
    const runtime = new VisionRuntime({ threads: 1 })
    try {
      const model = await runtime.load(
        'face-short',
        await modelPath('face-short', app.makePath('models'))
      )
      const outputs = await model.run({
        [model.inputNames[0]]: { data: new Float32Array(128 * 128 * 3), dims: [1, 128, 128, 3] },
      })
      assert.property(outputs, 'regressors')
    } finally {
      await runtime.close()
    }
  }).timeout(60_000)
})

test.group('Vision batches', () => {
  /** A model that doubles each input value, reports a batch-free constant, and logs its batch sizes. */
  function doubler(runs: number[]): Model {
    return {
      name: 'doubler',
      inputNames: ['input'],
      outputNames: ['doubled', 'constant'],
      async run(feeds) {
        const input = feeds.input
        runs.push(input.dims[0])
        return {
          doubled: { data: input.data.map((value) => value * 2), dims: input.dims },
          constant: { data: new Float32Array([7, 8, 9]), dims: [1, 3] },
        }
      },
    }
  }

  test('more items than MAX_BATCH run in runs of MAX_BATCH, stacked back into one batch', async ({
    assert,
  }) => {
    const runs: number[] = []
    const count = MAX_BATCH * 2 + 5
    const items = Array.from({ length: count }, (_, i) => new Float32Array([i, -i]))
    const outputs = await runBatch(doubler(runs), items, [2])
    assert.deepEqual(runs, [MAX_BATCH, MAX_BATCH, 5])
    assert.deepEqual(outputs.doubled.dims, [count, 2])
    for (let i = 0; i < count; i++)
      assert.deepEqual([...itemOf(outputs, i).doubled.data], [2 * i, -2 * i], `item ${i}`)
    // An output that is not per item is the first run's, not three copies of it.
    assert.deepEqual(outputs.constant.dims, [1, 3])
    assert.deepEqual([...outputs.constant.data], [7, 8, 9])
  })

  test('up to MAX_BATCH items are one run', async ({ assert }) => {
    const runs: number[] = []
    const outputs = await runBatch(
      doubler(runs),
      Array.from({ length: MAX_BATCH }, (_, i) => new Float32Array([i])),
      [1]
    )
    assert.deepEqual(runs, [MAX_BATCH])
    assert.deepEqual(
      [...outputs.doubled.data],
      Array.from({ length: MAX_BATCH }, (_, i) => 2 * i)
    )
  })
})
