/**
 * The SSD MobileNet V1 face detector (trained on WIDER FACE) as an ONNX graph, built from the
 * weights `@vladmandic/face-api` ships: a TensorFlow.js weights manifest and one binary shard of
 * uint8-quantized arrays, without a graph. The architecture is the TF Object Detection API's
 * ssd_mobilenet_v1 as face-api runs it: MobileNet V1 (depthwise + pointwise pairs, batch norm,
 * ReLU6), four extra stride-2 stages, and a box predictor on six feature maps (32² … 1² at 512).
 *
 * BlazeFace is trained on faces turned towards a phone camera; this detector on faces in
 * crowds, in profile, under caps and partly hidden, which is where BlazeFace misses.
 *
 * The graph takes NHWC images in [-1, 1] like the BlazeFace models (`image`, [N, 512, 512, 3])
 * and returns, per anchor, the box encoding (`boxes`, [N, 5118, 4]: ty, tx, th, tw), the class
 * logits (`classes`, [N, 5118, 3]: background, face, unused) and the anchors themselves
 * (`anchors`, [5118, 4]: ymin, xmin, ymax, xmax in 0–1), which decodeSsd() turns into faces.
 */
import { GraphBuilder, encodeModel, int, ints, transposeData, valueInfo } from './onnx.js'
import { readWeights, type Weight, type WeightsManifest } from './tfjs/weights.js'

export const SSD_INPUT = 512
/** Part of the cached file's name: a change to the graph below must bump it. */
export const SSD_BUILD_VERSION = 1
/** Batch norm epsilon of the TF graph these weights come from. */
const BN_EPSILON = 0.0010000000474974513
/** MobileNet layers (1-based) whose depthwise convolution has stride 2. */
const STRIDE_TWO = new Set([2, 4, 6, 12])

class SsdBuilder {
  readonly graph = new GraphBuilder()

  constructor(private weights: Map<string, Weight>) {}

  weight(name: string) {
    const weight = this.weights.get(name)
    if (!weight) throw new Error(`the SSD weights have no ${name}`)
    return weight
  }

  /** A convolution with TF (HWIO or depthwise HWC1) weights, SAME padding, optional ReLU6. */
  conv(
    x: string,
    size: number,
    w: Weight,
    bias: Float32Array,
    options: { stride: number; depthwise?: boolean; relu6: boolean }
  ) {
    const [kh, kw, cin, cout] = w.shape
    const onnxWeights = options.depthwise
      ? transposeData(w.data, w.shape, [2, 3, 0, 1]) // [C, 1, kh, kw]
      : transposeData(w.data, w.shape, [3, 2, 0, 1]) // [out, in, kh, kw]
    const dims = options.depthwise ? [cin, 1, kh, kw] : [cout, cin, kh, kw]
    const y = this.graph.conv(
      [
        x,
        this.graph.float(this.graph.fresh('w'), dims, onnxWeights),
        this.graph.float(this.graph.fresh('b'), [bias.length], bias),
      ],
      {
        size: [size, size],
        kernel: [kh, kw],
        strides: [options.stride, options.stride],
        same: true,
        group: options.depthwise ? cin : 1,
      }
    )
    const out = Math.ceil(size / options.stride)
    return {
      value: options.relu6
        ? this.graph.node('Clip', [y, this.graph.scalar(0), this.graph.scalar(6)])
        : y,
      size: out,
    }
  }

  /** Convolution + batch-norm offset + ReLU6 (face-api's pointwiseConvLayer; 3×3 kernels too). */
  pointwise(x: { value: string; size: number }, prefix: string, stride: number) {
    return this.conv(
      x.value,
      x.size,
      this.weight(`${prefix}/weights`),
      this.weight(`${prefix}/convolution_bn_offset`).data,
      {
        stride,
        relu6: true,
      }
    )
  }

  /** Depthwise 3×3 with its batch norm folded into the weights, then ReLU6. */
  depthwise(x: { value: string; size: number }, prefix: string, stride: number) {
    const w = this.weight(`${prefix}/depthwise_weights`)
    const gamma = this.weight(`${prefix}/BatchNorm/gamma`).data
    const beta = this.weight(`${prefix}/BatchNorm/beta`).data
    const mean = this.weight(`${prefix}/BatchNorm/moving_mean`).data
    const variance = this.weight(`${prefix}/BatchNorm/moving_variance`).data
    const channels = w.shape[2]
    const folded = new Float32Array(w.data.length)
    const bias = new Float32Array(channels)
    const scale = new Float32Array(channels)
    for (let c = 0; c < channels; c++) {
      scale[c] = gamma[c] / Math.sqrt(variance[c] + BN_EPSILON)
      bias[c] = beta[c] - mean[c] * scale[c]
    }
    // HWC1 layout: the channel is the fastest-but-one axis, so index % channels is the channel.
    for (let i = 0; i < w.data.length; i++) folded[i] = w.data[i] * scale[i % channels]
    return this.conv(x.value, x.size, { shape: w.shape, data: folded }, bias, {
      stride,
      depthwise: true,
      relu6: true,
    })
  }

  /** One box predictor: encodings [N, H·W·A, 4] and class logits [N, H·W·A, 3], anchors fastest. */
  predictor(x: { value: string; size: number }, index: number) {
    const head = (kind: string, width: number) => {
      const prefix = `Prediction/BoxPredictor_${index}/${kind}`
      const y = this.conv(
        x.value,
        x.size,
        this.weight(`${prefix}/weights`),
        this.weight(`${prefix}/biases`).data,
        {
          stride: 1,
          relu6: false,
        }
      )
      const nhwc = this.graph.node('Transpose', [y.value], [ints('perm', [0, 2, 3, 1])])
      return this.graph.node('Reshape', [nhwc, this.graph.int64('shape', [0, -1, width])])
    }
    return { boxes: head('BoxEncodingPredictor', 4), classes: head('ClassPredictor', 3) }
  }

  build(): Uint8Array {
    const input = 'image'
    let x = {
      value: this.graph.node('Transpose', [input], [ints('perm', [0, 3, 1, 2])]),
      size: SSD_INPUT,
    }
    x = this.pointwise(x, 'MobilenetV1/Conv2d_0_pointwise', 2)
    let conv11 = x
    for (let layer = 1; layer <= 13; layer++) {
      x = this.depthwise(x, `MobilenetV1/Conv2d_${layer}_depthwise`, STRIDE_TWO.has(layer) ? 2 : 1)
      x = this.pointwise(x, `MobilenetV1/Conv2d_${layer}_pointwise`, 1)
      if (layer === 11) conv11 = x
    }
    const maps = [conv11, x]
    let extra = x
    for (let stage = 0; stage < 8; stage++) {
      extra = this.pointwise(extra, `Prediction/Conv2d_${stage}_pointwise`, stage % 2 === 1 ? 2 : 1)
      if (stage % 2 === 1) maps.push(extra)
    }
    const heads = maps.map((map, index) => this.predictor(map, index))
    this.graph.node(
      'Concat',
      heads.map((h) => h.boxes),
      [int('axis', 1)],
      'boxes'
    )
    this.graph.node(
      'Concat',
      heads.map((h) => h.classes),
      [int('axis', 1)],
      'classes'
    )
    const anchors = this.weight('Output/extra_dim')
    const count = anchors.shape[1]
    this.graph.node(
      'Identity',
      [this.graph.float(this.graph.fresh('anchors'), [count, 4], anchors.data)],
      [],
      'anchors'
    )
    return encodeModel(
      {
        name: 'ssd_mobilenetv1_face',
        node: this.graph.nodes,
        initializer: this.graph.initializers,
        input: [valueInfo(input, ['batch', SSD_INPUT, SSD_INPUT, 3])],
        output: [
          valueInfo('boxes', ['batch', count, 4]),
          valueInfo('classes', ['batch', count, 3]),
          valueInfo('anchors', [count, 4]),
        ],
      },
      'SSD MobileNet V1 face detector, built from @vladmandic/face-api weights'
    )
  }
}

/** The ONNX model for face-api's SSD MobileNet V1 weights (manifest JSON + shard bytes). */
export function buildSsdMobilenet(manifest: WeightsManifest, shard: Uint8Array): Uint8Array {
  return new SsdBuilder(readWeights(manifest, shard)).build()
}
