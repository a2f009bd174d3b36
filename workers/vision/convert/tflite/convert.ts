/**
 * TFLite → ONNX for the MediaPipe vision models, so they run on onnxruntime-node like every other
 * model here. Only the operators these models use are handled (see SUPPORTED); anything else
 * fails loudly with UnsupportedOperatorError rather than producing a subtly wrong graph.
 *
 * TFLite is channel-last (NHWC); onnxruntime's convolutions are channel-first (NCHW). Every 4-D
 * activation is kept in NCHW inside the graph, and a value is transposed back to the TFLite
 * layout only where the TFLite semantics need it (RESHAPE, concatenation of non-4-D tensors,
 * graph outputs). Each tensor remembers both forms once made, so no transpose is emitted twice.
 * The graph input and outputs keep the TFLite names, shapes and layout.
 *
 * Constant weights are folded at conversion time: fp16 buffers behind DEQUANTIZE become float32
 * initializers, and sparse buffers behind DENSIFY are expanded to dense ones.
 */
import type { onnx as proto } from 'onnx-proto'
import { GraphBuilder, encodeModel, int, ints, samePads, str, transposeData, valueInfo } from '../onnx.js'
import {
  Activation,
  Padding,
  TENSOR_TYPE_NAMES,
  TensorType,
  readTflite,
  type Sparsity,
  type TfliteModel,
  type TfliteOperator,
  type TfliteTensor,
} from './reader.js'

export class UnsupportedOperatorError extends Error {
  constructor(readonly operator: string, readonly model: string) {
    super(`${model} uses the TFLite operator ${operator}, which the converter does not support`)
    this.name = 'UnsupportedOperatorError'
  }
}

export const SUPPORTED = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DENSIFY', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE',
  'DEQUANTIZE', 'LOGISTIC', 'MAX_POOL_2D', 'PAD', 'PRELU', 'RELU', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR',
] as const

export interface ConvertOptions {
  /** Names the model in errors (e.g. its file name). */
  name?: string
  /**
   * Positions (in the TFLite output list) of the outputs to keep; default all. Operators that
   * feed only dropped outputs are not converted: BlazePose's landmark model spends much of its
   * time on a 256×256 segmentation mask and a 64×64×39 heatmap the pipeline never reads.
   */
  outputs?: number[]
}

const NHWC_TO_NCHW = [0, 3, 1, 2]
const NCHW_TO_NHWC = [0, 2, 3, 1]

interface Constant {
  shape: number[]
  data: Float32Array | Int32Array
}

/** The ONNX value names a TFLite tensor has so far, in either layout. */
interface Value {
  nchw?: string
  nhwc?: string
}

let halfTable: Float32Array | undefined

/** fp16 bits → float32, through a 64 K-entry table: weight files hold millions of halves. */
export function halfToFloat(h: number) {
  if (!halfTable) {
    halfTable = new Float32Array(65536)
    for (let i = 0; i < 65536; i++) halfTable[i] = halfBits(i)
  }
  return halfTable[h]
}

function halfBits(h: number) {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

/** The values stored in a tensor's buffer (before any densifying). */
function decode(tensor: TfliteTensor, model: string): Float32Array | Int32Array {
  const bytes = tensor.data
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (tensor.type === TensorType.FLOAT32) {
    const out = new Float32Array(bytes.byteLength / 4)
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true)
    return out
  }
  if (tensor.type === TensorType.FLOAT16) {
    const out = new Float32Array(bytes.byteLength / 2)
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true))
    return out
  }
  if (tensor.type === TensorType.INT32) {
    const out = new Int32Array(bytes.byteLength / 4)
    for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i, true)
    return out
  }
  if (tensor.type === TensorType.INT64) {
    const out = new Int32Array(bytes.byteLength / 8)
    for (let i = 0; i < out.length; i++) out[i] = Number(view.getBigInt64(8 * i, true))
    return out
  }
  throw new Error(`${model}: tensor ${tensor.name} has type ${TENSOR_TYPE_NAMES[tensor.type] ?? tensor.type}, which the converter does not read`)
}

/**
 * Expands TFLite's sparse storage (TACO-style: per traversal level either dense, or CSR segments
 * plus indices; optional block dimensions) into a dense row-major array of `shape`.
 */
export function densify(values: ArrayLike<number>, shape: number[], sparsity: Sparsity): Float32Array {
  const rank = shape.length
  const { traversalOrder, blockMap, dimensions } = sparsity
  const levels = traversalOrder.length
  const blockSizes = blockMap.map((_, k) => dimensions[rank + k].denseSize)
  const strides = new Array<number>(rank).fill(1)
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1]
  const dense = new Float32Array(shape.reduce((a, b) => a * b, 1))
  const indices = new Array<number>(levels).fill(0)
  const original = new Array<number>(rank).fill(0)
  let next = 0

  const visit = (level: number, previous: number) => {
    if (level === levels) {
      for (let i = 0; i < rank; i++) original[traversalOrder[i]] = indices[i]
      for (let i = rank; i < levels; i++) {
        const block = traversalOrder[i] - rank
        const dim = blockMap[block]
        original[dim] = original[dim] * blockSizes[block] + indices[i]
      }
      let offset = 0
      for (let d = 0; d < rank; d++) offset += original[d] * strides[d]
      dense[offset] = values[next++]
      return
    }
    const meta = dimensions[level]
    if (meta.format === 0) {
      for (let i = 0; i < meta.denseSize; i++) {
        indices[level] = i
        visit(level + 1, previous * meta.denseSize + i)
      }
    } else {
      const segments = meta.segments!
      const positions = meta.indices!
      for (let i = segments[previous]; i < segments[previous + 1]; i++) {
        indices[level] = positions[i]
        visit(level + 1, i)
      }
    }
  }
  visit(0, 0)
  return dense
}

/** A constant tensor's values: fp16 widened to float32, sparse storage expanded to dense. */
export function constantValues(tensor: TfliteTensor, model = 'the TFLite model'): Float32Array | Int32Array {
  const values = decode(tensor, model)
  return tensor.sparsity ? densify(values, tensor.shape, tensor.sparsity) : values
}

/** TFLite's SAME/VALID rule for one spatial axis: [before, after]. */
function spatialPads(padding: number, input: number, kernel: number, stride: number, dilation: number) {
  return padding === Padding.VALID ? [0, 0] : samePads(input, kernel, stride, dilation)
}

class Converter {
  readonly graph = new GraphBuilder()
  readonly constants = new Map<number, Constant>()
  readonly values = new Map<number, Value>()

  constructor(
    readonly model: TfliteModel,
    readonly name: string,
    readonly keep?: number[]
  ) {}

  tensor(index: number) {
    const tensor = this.model.tensors[index]
    if (!tensor) throw new Error(`${this.name}: operator refers to missing tensor ${index}`)
    return tensor
  }

  /** The constant behind `index`, read (and densified) on first use; undefined for activations. */
  constant(index: number): Constant | undefined {
    const known = this.constants.get(index)
    if (known) return known
    const tensor = this.tensor(index)
    if (tensor.data.length === 0) return undefined
    const constant = { shape: tensor.shape, data: constantValues(tensor, this.name) }
    this.constants.set(index, constant)
    return constant
  }

  requireConstant(index: number, what: string) {
    const constant = this.constant(index)
    if (!constant) throw new Error(`${this.name}: ${what} (tensor ${this.tensor(index).name}) must be a constant`)
    return constant
  }

  /** A float initializer for a constant, laid out NCHW when it joins NCHW activations. */
  constantInput(index: number, nchw: boolean) {
    const constant = this.requireConstant(index, 'operand')
    const data = constant.data instanceof Float32Array ? constant.data : Float32Array.from(constant.data)
    if (!nchw) return this.graph.float(this.graph.fresh(`const${index}`), constant.shape, data)
    // Broadcasting is right-aligned on the NHWC shape: pad to rank 4, then move C forward.
    const shape = [...new Array(Math.max(0, 4 - constant.shape.length)).fill(1), ...constant.shape]
    const moved = transposeData(data, shape, NHWC_TO_NCHW)
    return this.graph.float(this.graph.fresh(`const${index}`), NHWC_TO_NCHW.map((p) => shape[p]), moved)
  }

  isFourD(index: number) {
    return this.tensor(index).shape.length === 4
  }

  #value(index: number) {
    let value = this.values.get(index)
    if (!value) {
      // A constant reaching an operator that takes activations becomes an initializer.
      value = this.constant(index) ? { nhwc: this.constantInput(index, false) } : {}
      this.values.set(index, value)
    }
    return value
  }

  /** The tensor as an NCHW value, transposing it once if it only exists in NHWC. */
  nchw(index: number): string {
    const value = this.#value(index)
    if (value.nchw) return value.nchw
    if (!value.nhwc) throw new Error(`${this.name}: tensor ${this.tensor(index).name} is used before it is computed`)
    value.nchw = this.#relayout(value.nhwc, this.tensor(index).shape, NHWC_TO_NCHW)
    return value.nchw
  }

  /** The tensor in its TFLite layout. */
  nhwc(index: number): string {
    const value = this.#value(index)
    if (value.nhwc) return value.nhwc
    if (!value.nchw) throw new Error(`${this.name}: tensor ${this.tensor(index).name} is used before it is computed`)
    value.nhwc = this.#relayout(value.nchw, this.tensor(index).shape, NCHW_TO_NHWC)
    return value.nhwc
  }

  /** A layout change; a Reshape (no data movement) when only one of C and H×W exceeds 1. */
  #relayout(name: string, nhwcShape: number[], perm: number[]) {
    const [n, h, w, c] = nhwcShape
    if (c === 1 || h * w === 1) {
      // 0: the input's batch, whatever its size (see freeBatch).
      const batch = n === 1 ? 0 : n
      const target = perm === NHWC_TO_NCHW ? [batch, c, h, w] : [batch, h, w, c]
      return this.graph.node('Reshape', [name, this.graph.int64('shape', target)])
    }
    return this.graph.node('Transpose', [name], [ints('perm', perm)])
  }

  setNchw(index: number, name: string) {
    this.values.set(index, { nchw: name })
  }

  setNhwc(index: number, name: string) {
    this.values.set(index, { nhwc: name })
  }

  activation(name: string, fused: number, op: TfliteOperator) {
    switch (fused) {
      case Activation.NONE:
        return name
      case Activation.RELU:
        return this.graph.node('Relu', [name])
      case Activation.RELU6:
        return this.graph.node('Clip', [name, this.graph.scalar(0), this.graph.scalar(6)])
      case Activation.RELU_N1_TO_1:
        return this.graph.node('Clip', [name, this.graph.scalar(-1), this.graph.scalar(1)])
      case Activation.TANH:
        return this.graph.node('Tanh', [name])
      default:
        throw new UnsupportedOperatorError(`${op.name} with fused activation ${fused}`, this.name)
    }
  }

  convert() {
    const { model } = this
    for (const index of model.inputs) {
      const tensor = this.tensor(index)
      if (tensor.type !== TensorType.FLOAT32) throw new Error(`${this.name}: input ${tensor.name} is not float32`)
      this.setNhwc(index, tensor.name)
    }
    const unsupported = model.operators.find((op) => !(SUPPORTED as readonly string[]).includes(op.name))
    if (unsupported) throw new UnsupportedOperatorError(unsupported.name, this.name)
    const kept = this.keep ? model.outputs.filter((_, position) => this.keep!.includes(position)) : model.outputs
    if (kept.length === 0) throw new Error(`${this.name}: none of the requested outputs exists`)
    // Walking back from the kept outputs: an operator is needed when something needed reads it.
    const needed = new Set<number>(kept)
    const operators = [...model.operators].reverse().filter((op) => {
      if (!op.outputs.some((index) => needed.has(index))) return false
      for (const index of op.inputs) if (index >= 0) needed.add(index)
      return true
    })
    for (const op of operators.reverse()) this.#operator(op)

    const outputs: proto.IValueInfoProto[] = []
    for (const index of kept) {
      const tensor = this.tensor(index)
      this.graph.node('Identity', [this.nhwc(index)], [], tensor.name)
      outputs.push(valueInfo(tensor.name, freeBatch(tensor.shape)))
    }
    const graph: proto.IGraphProto = {
      name: this.name,
      node: this.graph.nodes,
      initializer: this.graph.initializers,
      input: model.inputs.map((index) => valueInfo(this.tensor(index).name, freeBatch(this.tensor(index).shape))),
      output: outputs,
    }
    return encodeModel(graph, `Converted from ${this.name}`)
  }

  /**
   * Zero channels before and after, as a 1×1 convolution by an identity matrix: BlazeFace widens
   * its residual branch this way, and onnxruntime keeps a Conv in its blocked channel layout and
   * fuses the residual Add and ReLU into the next convolution, where a Pad sends the tensor back
   * to plain NCHW and the Add runs on its own (face models 10–15 % faster; outputs differ by
   * float rounding only, 3e-5 on logits of 100, from the fused sum's order).
   */
  #channelPad(x: string, channels: number, before: number, after: number) {
    const out = before + channels + after
    const identity = new Float32Array(out * channels)
    for (let c = 0; c < channels; c++) identity[(before + c) * channels + c] = 1
    const weights = this.graph.fresh('channel_pad')
    this.graph.float(weights, [out, channels, 1, 1], identity)
    return this.graph.node('Conv', [x, weights], [ints('kernel_shape', [1, 1])])
  }

  #operator(op: TfliteOperator) {
    const opts = this.model.options
    const [input] = op.inputs
    const [output] = op.outputs
    switch (op.name) {
      case 'DEQUANTIZE': {
        const tensor = this.tensor(input)
        if (tensor.type !== TensorType.FLOAT16) {
          throw new UnsupportedOperatorError(`DEQUANTIZE of ${TENSOR_TYPE_NAMES[tensor.type]}`, this.name)
        }
        this.constants.set(output, this.requireConstant(input, 'DEQUANTIZE input'))
        return
      }
      case 'DENSIFY':
        this.constants.set(output, this.requireConstant(input, 'DENSIFY input'))
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
        const weights = this.requireConstant(op.inputs[1], `${op.name} weights`)
        const [, inH, inW, inC] = this.tensor(input).shape
        const [o, kh, kw, i] = weights.shape
        const filter = depthwise
          // [1, KH, KW, C×M] → [C×M, 1, KH, KW]: TFLite's channel c×M+m is group c's m-th output.
          ? { dims: [i, 1, kh, kw], data: transposeData(weights.data as Float32Array, weights.shape, [3, 0, 1, 2]) }
          : { dims: [o, i, kh, kw], data: transposeData(weights.data as Float32Array, weights.shape, [0, 3, 1, 2]) }
        const inputs = [this.nchw(input), this.graph.float(this.graph.fresh(`w${op.inputs[1]}`), filter.dims, filter.data)]
        const bias = op.inputs[2]
        if (bias !== undefined && bias >= 0) inputs.push(this.constantInput(bias, false))
        const conv = this.graph.conv(inputs, {
          size: [inH, inW],
          kernel: [kh, kw],
          strides: [strideH, strideW],
          dilations: [dilationH, dilationW],
          same: padding !== Padding.VALID,
          group: depthwise ? inC : 1,
        })
        this.setNchw(output, this.activation(conv, fused, op))
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
        const [, inH, inW] = this.tensor(input).shape
        const [top, bottom] = spatialPads(padding, inH, kh, strideH, 1)
        const [left, right] = spatialPads(padding, inW, kw, strideW, 1)
        const attributes = [
          ints('kernel_shape', [kh, kw]),
          ints('strides', [strideH, strideW]),
          ints('pads', [top, left, bottom, right]),
        ]
        // TFLite's average pool divides by the in-bounds count (count_include_pad = 0, the default).
        const pool = this.graph.node(op.name === 'MAX_POOL_2D' ? 'MaxPool' : 'AveragePool', [this.nchw(input)], attributes)
        this.setNchw(output, this.activation(pool, fused, op))
        return
      }
      case 'ADD': {
        const fused = opts.int8(op, 0)
        const nchw = this.isFourD(output) && op.inputs.every((i) => this.constant(i) || this.isFourD(i))
        const operands = op.inputs.map((i) =>
          this.constant(i) ? this.constantInput(i, nchw) : nchw ? this.nchw(i) : this.nhwc(i))
        const sum = this.activation(this.graph.node('Add', operands), fused, op)
        if (nchw) this.setNchw(output, sum)
        else this.setNhwc(output, sum)
        return
      }
      case 'RELU':
      case 'RELU6':
      case 'LOGISTIC': {
        const nchw = this.isFourD(input)
        const x = nchw ? this.nchw(input) : this.nhwc(input)
        const y = op.name === 'LOGISTIC'
          ? this.graph.node('Sigmoid', [x])
          : this.activation(x, op.name === 'RELU' ? Activation.RELU : Activation.RELU6, op)
        if (nchw) this.setNchw(output, y)
        else this.setNhwc(output, y)
        return
      }
      case 'PRELU': {
        const nchw = this.isFourD(input)
        const x = nchw ? this.nchw(input) : this.nhwc(input)
        const y = this.graph.node('PRelu', [x, this.constantInput(op.inputs[1], nchw)])
        if (nchw) this.setNchw(output, y)
        else this.setNhwc(output, y)
        return
      }
      case 'PAD': {
        const paddings = this.requireConstant(op.inputs[1], 'PAD paddings').data
        const rank = this.tensor(input).shape.length
        const nchw = rank === 4
        const order = nchw ? NHWC_TO_NCHW : [...Array(rank).keys()]
        const pads = [...order.map((d) => paddings[2 * d]), ...order.map((d) => paddings[2 * d + 1])]
        if (nchw && pads[1] + pads[5] > 0 && pads.every((pad, k) => pad === 0 || k === 1 || k === 5)) {
          this.setNchw(output, this.#channelPad(this.nchw(input), this.tensor(input).shape[3], pads[1], pads[5]))
          return
        }
        const y = this.graph.node('Pad', [nchw ? this.nchw(input) : this.nhwc(input), this.graph.int64('pads', pads)])
        if (nchw) this.setNchw(output, y)
        else this.setNhwc(output, y)
        return
      }
      case 'RESHAPE': {
        // The output tensor's static shape is authoritative (new_shape may hold a -1), but for
        // its batch: ONNX's 0 copies the input's, so the model takes a batch of any size.
        const shape = [...this.tensor(output).shape]
        if (shape[0] === 1 && this.tensor(input).shape[0] === 1) shape[0] = 0
        this.setNhwc(output, this.graph.node('Reshape', [this.nhwc(input), this.graph.int64('shape', shape)]))
        return
      }
      case 'CONCATENATION': {
        const rank = this.tensor(output).shape.length
        let axis = opts.int32(op, 0)
        if (axis < 0) axis += rank
        const fused = opts.int8(op, 1)
        const nchw = rank === 4 && op.inputs.every((i) => !this.constant(i))
        const operands = op.inputs.map((i) =>
          this.constant(i) ? this.constantInput(i, false) : nchw ? this.nchw(i) : this.nhwc(i))
        const joined = this.graph.node('Concat', operands, [int('axis', nchw ? NHWC_TO_NCHW.indexOf(axis) : axis)])
        const y = this.activation(joined, fused, op)
        if (nchw) this.setNchw(output, y)
        else this.setNhwc(output, y)
        return
      }
      case 'RESIZE_BILINEAR': {
        const alignCorners = opts.bool(op, 2)
        const halfPixel = opts.bool(op, 3)
        const [, h, w] = this.tensor(output).shape
        const [, inH, inW] = this.tensor(input).shape
        const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric'
        // Scales rather than sizes: sizes would fix the batch.
        const scales = this.graph.float(this.graph.fresh('scales'), [4], new Float32Array([1, 1, h / inH, w / inW]))
        const y = this.graph.node('Resize', [this.nchw(input), '', scales], [
          str('mode', 'linear'),
          str('coordinate_transformation_mode', mode),
        ])
        this.setNchw(output, y)
        return
      }
      case 'DEPTH_TO_SPACE': {
        // TFLite's NHWC depth order is (row, column, channel) within a block: ONNX's DCR mode.
        const block = opts.int32(op, 0)
        this.setNchw(output, this.graph.node('DepthToSpace', [this.nchw(input)], [int('blocksize', block), str('mode', 'DCR')]))
        return
      }
      default:
        throw new UnsupportedOperatorError(op.name, this.name)
    }
  }
}

/** Converts a TFLite model (its first subgraph) into a serialized ONNX ModelProto. */
/**
 * TFLite models are built for a batch of 1; the converted ones take any batch (dimension `N`),
 * so several tiles, crops or people go through one run: per-run overhead dominates these small
 * models on a CPU.
 */
function freeBatch(shape: readonly number[]): (number | string)[] {
  return shape.length > 1 && shape[0] === 1 ? ['N', ...shape.slice(1)] : [...shape]
}

export function convertTflite(bytes: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  const name = options.name ?? 'the TFLite model'
  return new Converter(readTflite(bytes), name, options.outputs).convert()
}
