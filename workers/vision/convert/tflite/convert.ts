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
import { GraphBuilder, encodeModel, ints, transposeData, valueInfo } from '../onnx.js'
import {
  Activation,
  TensorType,
  readTflite,
  type TfliteModel,
  type TfliteOperator,
} from './reader.js'
import { constantValues } from './tensors.js'
import {
  NCHW_TO_NHWC,
  NHWC_TO_NCHW,
  SUPPORTED,
  UnsupportedOperatorError,
  convertOperator,
} from './operators.js'

export { SUPPORTED, UnsupportedOperatorError } from './operators.js'
export { constantValues, densify, halfToFloat } from './tensors.js'

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

interface Constant {
  shape: number[]
  data: Float32Array | Int32Array
}

/** The ONNX value names a TFLite tensor has so far, in either layout. */
interface Value {
  nchw?: string
  nhwc?: string
}

/** One conversion: the TFLite model read, the ONNX graph being built (see ./operators.ts). */
export class Converter {
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
    if (!constant)
      throw new Error(
        `${this.name}: ${what} (tensor ${this.tensor(index).name}) must be a constant`
      )
    return constant
  }

  /** A float initializer for a constant, laid out NCHW when it joins NCHW activations. */
  constantInput(index: number, nchw: boolean) {
    const constant = this.requireConstant(index, 'operand')
    const data =
      constant.data instanceof Float32Array ? constant.data : Float32Array.from(constant.data)
    if (!nchw) return this.graph.float(this.graph.fresh(`const${index}`), constant.shape, data)
    // Broadcasting is right-aligned on the NHWC shape: pad to rank 4, then move C forward.
    const shape = [...new Array(Math.max(0, 4 - constant.shape.length)).fill(1), ...constant.shape]
    const moved = transposeData(data, shape, NHWC_TO_NCHW)
    return this.graph.float(
      this.graph.fresh(`const${index}`),
      NHWC_TO_NCHW.map((p) => shape[p]),
      moved
    )
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
    if (!value.nhwc)
      throw new Error(
        `${this.name}: tensor ${this.tensor(index).name} is used before it is computed`
      )
    value.nchw = this.#relayout(value.nhwc, this.tensor(index).shape, NHWC_TO_NCHW)
    return value.nchw
  }

  /** The tensor in its TFLite layout. */
  nhwc(index: number): string {
    const value = this.#value(index)
    if (value.nhwc) return value.nhwc
    if (!value.nchw)
      throw new Error(
        `${this.name}: tensor ${this.tensor(index).name} is used before it is computed`
      )
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
      if (tensor.type !== TensorType.FLOAT32)
        throw new Error(`${this.name}: input ${tensor.name} is not float32`)
      this.setNhwc(index, tensor.name)
    }
    const unsupported = model.operators.find(
      (op) => !(SUPPORTED as readonly string[]).includes(op.name)
    )
    if (unsupported) throw new UnsupportedOperatorError(unsupported.name, this.name)
    const kept = this.keep
      ? model.outputs.filter((_, position) => this.keep!.includes(position))
      : model.outputs
    if (kept.length === 0) throw new Error(`${this.name}: none of the requested outputs exists`)
    // Walking back from the kept outputs: an operator is needed when something needed reads it.
    const needed = new Set<number>(kept)
    const operators = [...model.operators].reverse().filter((op) => {
      if (!op.outputs.some((index) => needed.has(index))) return false
      for (const index of op.inputs) if (index >= 0) needed.add(index)
      return true
    })
    for (const op of operators.reverse()) convertOperator(this, op)

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
      input: model.inputs.map((index) =>
        valueInfo(this.tensor(index).name, freeBatch(this.tensor(index).shape))
      ),
      output: outputs,
    }
    return encodeModel(graph, `Converted from ${this.name}`)
  }
}

function freeBatch(shape: readonly number[]): (number | string)[] {
  return shape.length > 1 && shape[0] === 1 ? ['N', ...shape.slice(1)] : [...shape]
}

export function convertTflite(bytes: Uint8Array, options: ConvertOptions = {}): Uint8Array {
  const name = options.name ?? 'the TFLite model'
  return new Converter(readTflite(bytes), name, options.outputs).convert()
}
