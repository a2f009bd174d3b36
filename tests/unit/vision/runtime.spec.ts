import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { modelPath } from '#workers/vision/models'
import { sessionOptions, VisionRuntime } from '#workers/vision/runtime'

/** The GPU image adds onnxruntime's CUDA provider beside the binding; the npm package has none. */
const cudaInstalled = existsSync(new URL('../bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so', import.meta.resolve('onnxruntime-node')))

test.group('Vision runtime', () => {
  test('CUDA asked for where its provider is not installed: the models run on the CPU, said once', async ({ assert }) => {
    const logs: string[] = []
    const runtime = new VisionRuntime({ provider: 'cuda', threads: 1, log: (line) => logs.push(line) })
    try {
      const path = await modelPath('face-short', app.makePath('models'))
      const model = await runtime.load('face-short', path)
      const outputs = await model.run({ [model.inputNames[0]]: { data: new Float32Array(128 * 128 * 3), dims: [1, 128, 128, 3] } })
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
    .skip(cudaInstalled, 'onnxruntime\'s CUDA provider is installed here')
    .timeout(60_000)

  test('sessions sleep between runs instead of spinning, and keep the thread count asked for', async ({ assert }) => {
    const options = sessionOptions(3)
    assert.equal(options.intraOpNumThreads, 3)
    assert.equal(options.interOpNumThreads, 1)
    assert.deepEqual(options.extra, { session: { intra_op: { allow_spinning: '0' } } })
    // The binding takes the entry: a session is created with it (it refuses values that are not strings).
    const runtime = new VisionRuntime({ threads: 1 })
    try {
      const model = await runtime.load('face-short', await modelPath('face-short', app.makePath('models')))
      const outputs = await model.run({ [model.inputNames[0]]: { data: new Float32Array(128 * 128 * 3), dims: [1, 128, 128, 3] } })
      assert.property(outputs, 'regressors')
    } finally {
      await runtime.close()
    }
  }).timeout(60_000)
})
