/*
|--------------------------------------------------------------------------
| Model packages, trimmed (image build only)
|--------------------------------------------------------------------------
|
| Run by the Dockerfile in the build folder after bin/prepare_models.js: deletes from the
| packages that ship model weights every file the app never reads (browser WASM, bundles,
| demos, unused models); see workers/vision/model_packages.ts. Never run it in a checkout you
| develop in: npm ci brings the files back.
|
*/
import { resolve } from 'node:path'
import { pruneModelPackages } from '../workers/vision/model_packages.js'

try {
  const removed = await pruneModelPackages(resolve('node_modules'))
  console.log(`Model packages trimmed: ${(removed / 1024 / 1024).toFixed(1)} MB removed.`)
} catch (error) {
  console.error((error as Error).message)
  process.exitCode = 1
}
