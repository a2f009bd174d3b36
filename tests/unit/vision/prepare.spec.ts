import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import { MODELS } from '#workers/vision/models'

const run = promisify(execFile)

test.group('node ace models:prepare', () => {
  // Run as an operator runs it, in its own process: the command starts without the app, so
  // what it reads must not need the app booted (the in-process test runner boots it).
  test('fills an empty MODEL_CACHE_DIR with every model of the catalog', async ({ assert }) => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'athera-prepare-'))
    try {
      const { stdout } = await run(process.execPath, ['ace', 'models:prepare'], {
        cwd: app.appRoot.pathname,
        env: { ...process.env, MODEL_CACHE_DIR: cacheDir, NO_COLOR: '1' },
        timeout: 240_000,
      })
      assert.include(stdout, `Models ready in ${cacheDir}`)
      const entries = await readdir(cacheDir)
      const files = entries.filter((file) => file.endsWith('.onnx'))
      assert.lengthOf(files, Object.keys(MODELS).length)
      assert.isTrue(
        files.some((file) => /^ch_PP-OCRv4_det_infer-[0-9a-f]{16}-s\d+\.onnx$/.test(file))
      )
    } finally {
      await rm(cacheDir, { recursive: true, force: true })
    }
  }).timeout(300_000)
})
