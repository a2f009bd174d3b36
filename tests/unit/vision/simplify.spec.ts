import { test } from '@japa/runner'
import * as ort from 'onnxruntime-node'
import { readFile } from 'node:fs/promises'
import onnxProto from 'onnx-proto'
import { SKIP_WITHOUT_MEDIA, imageFrame, sharedMediaAvailable } from '#tests/helpers/media'
import { packageFile, MODELS } from '#workers/vision/models'
import { encodeModel, GraphBuilder, ints, valueInfo } from '#workers/vision/convert/onnx'
import { simplifyOnnx } from '#workers/vision/convert/onnx_simplify'
import { sessionOptions } from '#workers/vision/runtime/runtime'
import { detectorInput, placeRegion } from '#workers/vision/text/detect'

const { onnx } = onnxProto

function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648 - 0.5
  }
}

function randomArray(length: number, seed: number, scale = 1) {
  const next = random(seed)
  return Float32Array.from({ length }, () => next() * scale)
}

function opTypes(bytes: Uint8Array) {
  const counts: Record<string, number> = {}
  for (const node of onnx.ModelProto.decode(bytes).graph!.node!)
    counts[node.opType!] = (counts[node.opType!] ?? 0) + 1
  return counts
}

async function runModel(bytes: Uint8Array, input: Float32Array, dims: readonly number[]) {
  const session = await ort.InferenceSession.create(bytes, sessionOptions(2))
  try {
    const outputs = await session.run({
      [session.inputNames[0]]: new ort.Tensor('float32', input, dims),
    })
    return Object.fromEntries(
      session.outputNames.map((name) => [name, outputs[name].data as Float32Array])
    )
  } finally {
    await session.release()
  }
}

function maxDifference(a: Record<string, Float32Array>, b: Record<string, Float32Array>) {
  let difference = 0
  let largest = 0
  for (const [name, values] of Object.entries(a)) {
    for (const [i, value] of values.entries()) {
      difference = Math.max(difference, Math.abs(value - b[name][i]))
      largest = Math.max(largest, Math.abs(value))
    }
  }
  return { difference, largest }
}

/**
 * PP-LCNetV3's block as Paddle2ONNX writes it, on 4 channels of 8×8: a padded 3×3 conv, a
 * scalar affine, HardSwish in four ops, a scalar affine, a 1×1 conv (output `pointwise`), and
 * beside it a scalar affine feeding a padded 3×3 conv (output `padded`) and a conv whose
 * output is also a graph output (`shared`), neither of which may be folded.
 */
function paddleBlock() {
  const g = new GraphBuilder()
  const conv = (input: string, weights: string, kernel: number, pad: number, output?: string) =>
    g.node(
      'Conv',
      [input, weights],
      [ints('kernel_shape', [kernel, kernel]), ints('pads', [pad, pad, pad, pad])],
      output
    )
  const w = (hint: string, dims: number[], seed: number) => {
    const name = g.fresh(hint)
    g.float(
      name,
      dims,
      randomArray(
        dims.reduce((a, b) => a * b),
        seed,
        0.8
      )
    )
    return name
  }
  const first = conv('x', w('w1', [4, 4, 3, 3], 1), 3, 1)
  const scaled = g.node('Mul', [g.scalar(1.7), first])
  const shifted = g.node('Add', [scaled, g.scalar(-0.3)])
  const plus3 = g.node('Add', [shifted, g.scalar(3)])
  const clipped = g.node('Clip', [plus3, g.scalar(0), g.scalar(6)])
  const product = g.node('Mul', [shifted, clipped])
  const swished = g.node('Div', [product, g.scalar(6)])
  const scaled2 = g.node('Mul', [swished, g.scalar(0.8)])
  const shifted2 = g.node('Add', [g.scalar(0.25), scaled2])
  conv(shifted2, w('w2', [6, 4, 1, 1], 2), 1, 0, 'pointwise')
  const scaled3 = g.node('Mul', [g.scalar(1.2), 'x'])
  const shifted3 = g.node('Add', [scaled3, g.scalar(0.1)])
  conv(shifted3, w('w3', [4, 4, 3, 3], 3), 3, 1, 'padded')
  const shared = conv('x', w('w4', [4, 4, 1, 1], 4), 1, 0, 'shared')
  g.node('Mul', [shared, g.scalar(2)], [], 'doubled')
  return encodeModel(
    {
      name: 'paddle-block',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('x', [1, 4, 8, 8])],
      output: ['pointwise', 'padded', 'shared', 'doubled'].map((name) =>
        valueInfo(name, [1, name === 'pointwise' ? 6 : 4, 8, 8])
      ),
    },
    'test graph'
  )
}

test.group('ONNX simplification', () => {
  test('folds scalar affines into convolutions and writes HardSwish as HardSigmoid + Mul, same outputs', async ({
    assert,
  }) => {
    const original = paddleBlock()
    const { bytes, stats } = simplifyOnnx(original)
    assert.deepEqual(stats, { foldedAfter: 2, hardSwish: 1, foldedBefore: 1 })
    const ops = opTypes(bytes)
    assert.notProperty(ops, 'Clip')
    assert.notProperty(ops, 'Div')
    assert.equal(ops.HardSigmoid, 1)
    // Left: the affine before the padded conv (2), the HardSwish product (1), the Mul reading `shared`.
    assert.equal(ops.Mul, 3)
    assert.equal(ops.Add, 1)
    assert.equal(ops.Conv, 4)

    const input = randomArray(4 * 8 * 8, 7, 6)
    const before = await runModel(original, input, [1, 4, 8, 8])
    const after = await runModel(bytes, input, [1, 4, 8, 8])
    const { difference, largest } = maxDifference(before, after)
    assert.isAbove(largest, 1)
    assert.isBelow(difference, 1e-5 * largest)
  })

  test('leaves a graph without these patterns as it was', async ({ assert }) => {
    const g = new GraphBuilder()
    const weights = g.fresh('w')
    g.float(weights, [2, 2, 3, 3], randomArray(36, 5))
    const conv = g.node(
      'Conv',
      ['x', weights],
      [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1])]
    )
    // A per-channel Mul is not a scalar: not folded.
    const scale = g.fresh('scale')
    g.float(scale, [1, 2, 1, 1], new Float32Array([2, 3]))
    g.node('Mul', [conv, scale], [], 'y')
    const bytes = encodeModel(
      {
        name: 'plain',
        node: g.nodes,
        initializer: g.initializers,
        input: [valueInfo('x', [1, 2, 4, 4])],
        output: [valueInfo('y', [1, 2, 4, 4])],
      },
      'test graph'
    )
    const result = simplifyOnnx(bytes)
    assert.deepEqual(result.stats, { foldedAfter: 0, hardSwish: 0, foldedBefore: 0 })
    assert.deepEqual(opTypes(result.bytes), opTypes(bytes))
  })

  test('the shipped PP-OCRv4 models give the same outputs simplified', async ({ assert }) => {
    const detector = await readFile(
      packageFile(MODELS['text-detector'].package, MODELS['text-detector'].file)
    )
    const simplified = simplifyOnnx(detector)
    assert.deepEqual(simplified.stats, { foldedAfter: 56, hardSwish: 24, foldedBefore: 10 })
    assert.isBelow(
      Object.values(opTypes(simplified.bytes)).reduce((a, b) => a + b),
      210
    )
    const input = randomArray(3 * 96 * 160, 11, 4)
    const { difference } = maxDifference(
      await runModel(detector, input, [1, 3, 96, 160]),
      await runModel(simplified.bytes, input, [1, 3, 96, 160])
    )
    assert.isBelow(difference, 1e-4)

    const recognizer = await readFile(
      packageFile(MODELS['text-recognizer'].package, MODELS['text-recognizer'].file)
    )
    const simpleRecognizer = simplifyOnnx(recognizer)
    // Opset 9: Clip's bounds are attributes there.
    assert.equal(simpleRecognizer.stats.hardSwish, 28)
    const line = randomArray(2 * 3 * 48 * 160, 13, 4)
    const before = await runModel(recognizer, line, [2, 3, 48, 160])
    const after = await runModel(simpleRecognizer.bytes, line, [2, 3, 48, 160])
    const compared = maxDifference(before, after)
    assert.isAbove(compared.largest, 0.1)
    assert.isBelow(compared.difference, 1e-4)
  })

  test('the simplified text detector finds the same text probabilities on a real picture', async ({
    assert,
  }) => {
    const detector = await readFile(
      packageFile(MODELS['text-detector'].package, MODELS['text-detector'].file)
    )
    const frame = await imageFrame('football_numbers_ochuman003799.jpg')
    const placement = placeRegion({ x: 0, y: 0, width: frame.width, height: frame.height }, 960)
    const tensor = detectorInput(frame, [placement], 960, 544)
    const before = await runModel(detector, tensor.data, tensor.dims)
    const after = await runModel(simplifyOnnx(detector).bytes, tensor.data, tensor.dims)
    const { difference, largest } = maxDifference(before, after)
    assert.isAbove(largest, 0.9)
    assert.isBelow(difference, 1e-4)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(60_000)
})
