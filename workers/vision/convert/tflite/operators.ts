/**
 * The TFLite operators the converter handles (SUPPORTED), each as ONNX nodes, 4-D activations
 * in NCHW (see ./convert.ts).
 */
import { type GraphBuilder, int, ints, samePads, str, transposeData } from '../onnx.js'
import type { Converter } from './convert.js'
import {
  Activation,
  Padding,
  TENSOR_TYPE_NAMES,
  TensorType,
  type TfliteOperator,
} from './reader.js'

export class UnsupportedOperatorError extends Error {
  constructor(
    readonly operator: string,
    readonly model: string
  ) {
    super(`${model} uses the TFLite operator ${operator}, which the converter does not support`)
    this.name = 'UnsupportedOperatorError'
  }
}

export const SUPPORTED = [
  'ADD',
  'AVERAGE_POOL_2D',
  'CONCATENATION',
  'CONV_2D',
  'DENSIFY',
  'DEPTHWISE_CONV_2D',
  'DEPTH_TO_SPACE',
  'DEQUANTIZE',
  'LOGISTIC',
  'MAX_POOL_2D',
  'PAD',
  'PRELU',
  'RELU',
  'RELU6',
  'RESHAPE',
  'RESIZE_BILINEAR',
] as const

export const NHWC_TO_NCHW = [0, 3, 1, 2]
export const NCHW_TO_NHWC = [0, 2, 3, 1]

/** TFLite's SAME/VALID rule for one spatial axis: [before, after]. */
function spatialPads(
  padding: number,
  input: number,
  kernel: number,
  stride: number,
  dilation: number
) {
  return padding === Padding.VALID ? [0, 0] : samePads(input, kernel, stride, dilation)
}

/** One TFLite operator as ONNX nodes on `c`'s graph. */
export function convertOperator(c: Converter, op: TfliteOperator) {
  const opts = c.model.options
  const [input] = op.inputs
  const [output] = op.outputs
  switch (op.name) {
    case 'DEQUANTIZE': {
      const tensor = c.tensor(input)
      if (tensor.type !== TensorType.FLOAT16) {
        throw new UnsupportedOperatorError(
          `DEQUANTIZE of ${TENSOR_TYPE_NAMES[tensor.type]}`,
          c.name
        )
      }
      c.constants.set(output, c.requireConstant(input, 'DEQUANTIZE input'))
      return
    }
    case 'DENSIFY':
      c.constants.set(output, c.requireConstant(input, 'DENSIFY input'))
      return
    case 'CONV_2D':
    case 'DEPTHWISE_CONV_2D': {
      const depthwise = op.name === 'DEPTHWISE_CONV_2D'
      const padding = opts.int8(op, 0)
      const strideW = opts.int32(op, 1, 1)
      const strideH = opts.int32(op, 2, 1)
      const fused = opts.int8(op, depthwise ? 4 : 3)
      const dilationW = opts.int32(op, depthwise ? 5 : 4, 1)
      const dilationH = opts.int32(op, depthwise ? 6 : 5, 1)
      const weights = c.requireConstant(op.inputs[1], `${op.name} weights`)
      const [, inH, inW, inC] = c.tensor(input).shape
      const [o, kh, kw, i] = weights.shape
      const filter = depthwise
        ? // [1, KH, KW, C×M] → [C×M, 1, KH, KW]: TFLite's channel c×M+m is group c's m-th output.
          {
            dims: [i, 1, kh, kw],
            data: transposeData(weights.data as Float32Array, weights.shape, [3, 0, 1, 2]),
          }
        : {
            dims: [o, i, kh, kw],
            data: transposeData(weights.data as Float32Array, weights.shape, [0, 3, 1, 2]),
          }
      const inputs = [
        c.nchw(input),
        c.graph.float(c.graph.fresh(`w${op.inputs[1]}`), filter.dims, filter.data),
      ]
      const bias = op.inputs[2]
      if (bias !== undefined && bias >= 0) inputs.push(c.constantInput(bias, false))
      const conv = c.graph.conv(inputs, {
        size: [inH, inW],
        kernel: [kh, kw],
        strides: [strideH, strideW],
        dilations: [dilationH, dilationW],
        same: padding !== Padding.VALID,
        group: depthwise ? inC : 1,
      })
      c.setNchw(output, c.activation(conv, fused, op))
      return
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const padding = opts.int8(op, 0)
      const strideW = opts.int32(op, 1, 1)
      const strideH = opts.int32(op, 2, 1)
      const kw = opts.int32(op, 3, 1)
      const kh = opts.int32(op, 4, 1)
      const fused = opts.int8(op, 5)
      const [, inH, inW] = c.tensor(input).shape
      const [top, bottom] = spatialPads(padding, inH, kh, strideH, 1)
      const [left, right] = spatialPads(padding, inW, kw, strideW, 1)
      const attributes = [
        ints('kernel_shape', [kh, kw]),
        ints('strides', [strideH, strideW]),
        ints('pads', [top, left, bottom, right]),
      ]
      // TFLite's average pool divides by the in-bounds count (count_include_pad = 0, the default).
      const pool = c.graph.node(
        op.name === 'MAX_POOL_2D' ? 'MaxPool' : 'AveragePool',
        [c.nchw(input)],
        attributes
      )
      c.setNchw(output, c.activation(pool, fused, op))
      return
    }
    case 'ADD': {
      const fused = opts.int8(op, 0)
      const nchw = c.isFourD(output) && op.inputs.every((i) => c.constant(i) || c.isFourD(i))
      const operands = op.inputs.map((i) =>
        c.constant(i) ? c.constantInput(i, nchw) : nchw ? c.nchw(i) : c.nhwc(i)
      )
      const sum = c.activation(c.graph.node('Add', operands), fused, op)
      if (nchw) c.setNchw(output, sum)
      else c.setNhwc(output, sum)
      return
    }
    case 'RELU':
    case 'RELU6':
    case 'LOGISTIC': {
      const nchw = c.isFourD(input)
      const x = nchw ? c.nchw(input) : c.nhwc(input)
      const y =
        op.name === 'LOGISTIC'
          ? c.graph.node('Sigmoid', [x])
          : c.activation(x, op.name === 'RELU' ? Activation.RELU : Activation.RELU6, op)
      if (nchw) c.setNchw(output, y)
      else c.setNhwc(output, y)
      return
    }
    case 'PRELU': {
      const nchw = c.isFourD(input)
      const x = nchw ? c.nchw(input) : c.nhwc(input)
      const y = c.graph.node('PRelu', [x, c.constantInput(op.inputs[1], nchw)])
      if (nchw) c.setNchw(output, y)
      else c.setNhwc(output, y)
      return
    }
    case 'PAD': {
      const paddings = c.requireConstant(op.inputs[1], 'PAD paddings').data
      const rank = c.tensor(input).shape.length
      const nchw = rank === 4
      const order = nchw ? NHWC_TO_NCHW : [...Array(rank).keys()]
      const pads = [...order.map((d) => paddings[2 * d]), ...order.map((d) => paddings[2 * d + 1])]
      if (
        nchw &&
        pads[1] + pads[5] > 0 &&
        pads.every((pad, k) => pad === 0 || k === 1 || k === 5)
      ) {
        c.setNchw(
          output,
          channelPad(c.graph, c.nchw(input), c.tensor(input).shape[3], pads[1], pads[5])
        )
        return
      }
      const y = c.graph.node('Pad', [
        nchw ? c.nchw(input) : c.nhwc(input),
        c.graph.int64('pads', pads),
      ])
      if (nchw) c.setNchw(output, y)
      else c.setNhwc(output, y)
      return
    }
    case 'RESHAPE': {
      // The output tensor's static shape is authoritative (new_shape may hold a -1), but for
      // its batch: ONNX's 0 copies the input's, so the model takes a batch of any size.
      const shape = [...c.tensor(output).shape]
      if (shape[0] === 1 && c.tensor(input).shape[0] === 1) shape[0] = 0
      c.setNhwc(output, c.graph.node('Reshape', [c.nhwc(input), c.graph.int64('shape', shape)]))
      return
    }
    case 'CONCATENATION': {
      const rank = c.tensor(output).shape.length
      let axis = opts.int32(op, 0)
      if (axis < 0) axis += rank
      const fused = opts.int8(op, 1)
      const nchw = rank === 4 && op.inputs.every((i) => !c.constant(i))
      const operands = op.inputs.map((i) =>
        c.constant(i) ? c.constantInput(i, false) : nchw ? c.nchw(i) : c.nhwc(i)
      )
      const joined = c.graph.node('Concat', operands, [
        int('axis', nchw ? NHWC_TO_NCHW.indexOf(axis) : axis),
      ])
      const y = c.activation(joined, fused, op)
      if (nchw) c.setNchw(output, y)
      else c.setNhwc(output, y)
      return
    }
    case 'RESIZE_BILINEAR': {
      const alignCorners = opts.bool(op, 2)
      const halfPixel = opts.bool(op, 3)
      const [, h, w] = c.tensor(output).shape
      const [, inH, inW] = c.tensor(input).shape
      const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric'
      // Scales rather than sizes: sizes would fix the batch.
      const scales = c.graph.float(
        c.graph.fresh('scales'),
        [4],
        new Float32Array([1, 1, h / inH, w / inW])
      )
      const y = c.graph.node(
        'Resize',
        [c.nchw(input), '', scales],
        [str('mode', 'linear'), str('coordinate_transformation_mode', mode)]
      )
      c.setNchw(output, y)
      return
    }
    case 'DEPTH_TO_SPACE': {
      // TFLite's NHWC depth order is (row, column, channel) within a block: ONNX's DCR mode.
      const block = opts.int32(op, 0)
      c.setNchw(
        output,
        c.graph.node('DepthToSpace', [c.nchw(input)], [int('blocksize', block), str('mode', 'DCR')])
      )
      return
    }
    default:
      throw new UnsupportedOperatorError(op.name, c.name)
  }
}

/**
 * Zero channels before and after, as a 1×1 convolution by an identity matrix: BlazeFace widens
 * its residual branch this way, and onnxruntime keeps a Conv in its blocked channel layout and
 * fuses the residual Add and ReLU into the next convolution, where a Pad sends the tensor back
 * to plain NCHW and the Add runs on its own (face models 10–15 % faster; outputs differ by
 * float rounding only, 3e-5 on logits of 100, from the fused sum's order).
 */
function channelPad(
  graph: GraphBuilder,
  x: string,
  channels: number,
  before: number,
  after: number
) {
  const out = before + channels + after
  const identity = new Float32Array(out * channels)
  for (let c = 0; c < channels; c++) identity[(before + c) * channels + c] = 1
  const weights = graph.fresh('channel_pad')
  graph.float(weights, [out, channels, 1, 1], identity)
  return graph.node('Conv', [x, weights], [ints('kernel_shape', [1, 1])])
}
