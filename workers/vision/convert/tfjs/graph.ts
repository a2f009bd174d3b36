/**
 * A TensorFlow.js graph model (model.json: a TF GraphDef as JSON, plus a weights shard) made
 * into an ONNX graph, for the convolutional models human-models ships only in that form (the
 * CenterNet object detector). Like the TFLite converter it computes channel-first, with one
 * transpose at the input and one per output, and it knows only the ops those models use:
 * fused and plain convolutions (dense and depthwise), element-wise arithmetic, ReLU/ReLU6/
 * sigmoid, channel means, concatenation, bilinear resizing and max pooling. The graph is cut at
 * the outputs asked for, so post-processing (top-k, gathers) that ONNX would not need is left out.
 */
import {
  GraphBuilder,
  encodeModel,
  int,
  ints,
  samePads,
  str,
  transposeData,
  valueInfo,
} from '../onnx.js'
import { readWeights, type Weight } from './weights.js'
import { convertConv } from './conv.js'
import {
  UnsupportedGraphOpError,
  decodeString,
  type GraphModelJson,
  type GraphNode,
} from './graph_json.js'

export { UnsupportedGraphOpError, type GraphModelJson, type GraphNode } from './graph_json.js'

/** Part of a converted file's name: a change to what the converter emits must bump it. */
export const TFJS_GRAPH_VERSION = 1

/** A tensor of the ONNX graph: its name, and its channels and spatial size (NCHW). */
export interface Value {
  name: string
  channels: number
  height: number
  width: number
}

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1]

export class GraphConverter {
  readonly graph = new GraphBuilder()
  readonly #nodes: Map<string, GraphNode>
  readonly #values = new Map<string, Value>()
  readonly #constants = new Map<string, string>()
  input?: { name: string; height: number; width: number; channels: number }

  constructor(
    nodes: GraphNode[],
    private weights: Map<string, Weight>,
    readonly model: string
  ) {
    this.#nodes = new Map(nodes.map((node) => [node.name, node]))
  }

  #node(name: string) {
    const node = this.#nodes.get(name)
    if (!node) throw new Error(`${this.model}: the graph has no node ${name}`)
    return node
  }

  /** The weights behind a Const node (the manifest names them after the node). */
  constant(name: string): Weight | undefined {
    const node = this.#node(name.replace(/:0$/, ''))
    if (node.op !== 'Const') return undefined
    const weight = this.weights.get(node.name)
    if (!weight) throw new Error(`${this.model}: constant ${node.name} has no weights in the shard`)
    return weight
  }

  #numbers(name: string) {
    const weight = this.constant(name)
    if (!weight) throw new Error(`${this.model}: ${name} must be a constant`)
    return [...weight.data]
  }

  /** The ONNX value of node output `name` ("node" or "node:0"), converting what it needs first. */
  value(name: string): Value {
    const key = name.replace(/:0$/, '')
    let value = this.#values.get(key)
    if (!value) {
      if (key.includes(':'))
        throw new Error(`${this.model}: ${name}: only a node's first output can be converted`)
      value = this.#convert(this.#node(key))
      this.#values.set(key, value)
    }
    return value
  }

  /** A constant as an operand of element-wise arithmetic on NCHW tensors. */
  #operand(name: string, weight: Weight) {
    let cached = this.#constants.get(name)
    if (cached) return cached
    const rank = weight.shape.length
    let dims: number[]
    let data = weight.data
    if (rank === 0 || weight.data.length === 1) dims = []
    else if (rank === 1) dims = [weight.shape[0], 1, 1]
    else if (rank === 4) {
      data = transposeData(weight.data, weight.shape, [0, 3, 1, 2])
      dims = [0, 3, 1, 2].map((axis) => weight.shape[axis])
    } else
      throw new Error(`${this.model}: constant ${name} of rank ${rank} cannot join NHWC arithmetic`)
    cached = this.graph.float(
      this.graph.fresh('const'),
      dims,
      data.length === 1 ? new Float32Array([data[0]]) : data
    )
    this.#constants.set(name, cached)
    return cached
  }

  #inputs(node: GraphNode) {
    return (node.input ?? []).filter((input) => !input.startsWith('^'))
  }

  #convert(node: GraphNode): Value {
    const inputs = this.#inputs(node)
    const attr = node.attr ?? {}
    switch (node.op) {
      case 'Placeholder': {
        const dims = (
          attr.shape as { shape?: { dim?: { size: string }[] } } | undefined
        )?.shape?.dim?.map((d) => Number(d.size))
        if (!dims || dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) {
          throw new Error(`${this.model}: input ${node.name} must be NHWC with a fixed size`)
        }
        const [, height, width, channels] = dims
        this.input = { name: node.name, height, width, channels }
        return {
          name: this.graph.node('Transpose', [node.name], [ints('perm', [0, 3, 1, 2])]),
          channels,
          height,
          width,
        }
      }
      case 'Identity':
        return this.value(inputs[0])
      case '_FusedConv2D':
      case 'Conv2D':
      case 'FusedDepthwiseConv2dNative':
      case 'DepthwiseConv2dNative':
        return convertConv(this, node, inputs)
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
        return this.#binary(node, inputs)
      case 'Relu':
        return this.#unary(inputs[0], (x) => this.graph.node('Relu', [x]))
      case 'Relu6':
        return this.#unary(inputs[0], (x) =>
          this.graph.node('Clip', [x, this.graph.scalar(0), this.graph.scalar(6)])
        )
      case 'Sigmoid':
        return this.#unary(inputs[0], (x) => this.graph.node('Sigmoid', [x]))
      case 'Mean': {
        if (!attr.keep_dims?.b)
          throw new Error(`${this.model}: ${node.name}: Mean must keep its dimensions`)
        const x = this.value(inputs[0])
        const axes = this.#numbers(inputs[1]).map((axis) => NCHW_AXIS[(axis + 4) % 4])
        if (axes.includes(0) || axes.includes(1))
          throw new Error(`${this.model}: ${node.name}: only spatial means are supported`)
        const name = this.graph.node(
          'ReduceMean',
          [x.name],
          [ints('axes', axes), int('keepdims', 1)]
        )
        return {
          name,
          channels: x.channels,
          height: axes.includes(2) ? 1 : x.height,
          width: axes.includes(3) ? 1 : x.width,
        }
      }
      case 'ConcatV2': {
        const axis = this.#numbers(inputs.at(-1)!)[0]
        const parts = inputs.slice(0, -1).map((input) => this.value(input))
        const nchwAxis = NCHW_AXIS[(axis + 4) % 4]
        if (nchwAxis !== 1)
          throw new Error(`${this.model}: ${node.name}: only channel concatenation is supported`)
        const name = this.graph.node(
          'Concat',
          parts.map((part) => part.name),
          [int('axis', 1)]
        )
        return {
          name,
          channels: parts.reduce((sum, part) => sum + part.channels, 0),
          height: parts[0].height,
          width: parts[0].width,
        }
      }
      case 'ResizeBilinear': {
        const x = this.value(inputs[0])
        const [height, width] = this.#numbers(inputs[1])
        const mode = attr.align_corners?.b
          ? 'align_corners'
          : attr.half_pixel_centers?.b
            ? 'half_pixel'
            : 'asymmetric'
        const scales = this.graph.float(
          this.graph.fresh('scales'),
          [4],
          new Float32Array([1, 1, height / x.height, width / x.width])
        )
        const name = this.graph.node(
          'Resize',
          [x.name, '', scales],
          [str('mode', 'linear'), str('coordinate_transformation_mode', mode)]
        )
        return { name, channels: x.channels, height, width }
      }
      case 'MaxPool': {
        const x = this.value(inputs[0])
        const [, kh, kw] = (attr.ksize?.list?.i ?? []).map(Number)
        const [, sh, sw] = (attr.strides?.list?.i ?? []).map(Number)
        const same = decodeString(attr.padding?.s) === 'SAME'
        const [top, bottom] = same ? samePads(x.height, kh, sh) : [0, 0]
        const [left, right] = same ? samePads(x.width, kw, sw) : [0, 0]
        const name = this.graph.node(
          'MaxPool',
          [x.name],
          [
            ints('kernel_shape', [kh, kw]),
            ints('strides', [sh, sw]),
            ints('pads', [top, left, bottom, right]),
          ]
        )
        const size = (n: number, k: number, s: number) =>
          same ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1
        return {
          name,
          channels: x.channels,
          height: size(x.height, kh, sh),
          width: size(x.width, kw, sw),
        }
      }
      default:
        throw new UnsupportedGraphOpError(node.op, node.name, this.model)
    }
  }

  #unary(input: string, op: (x: string) => string): Value {
    const x = this.value(input)
    return { ...x, name: op(x.name) }
  }

  #binary(node: GraphNode, inputs: string[]): Value {
    const onnxOp = { Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div' }[node.op]!
    const operands = inputs.map((input) => {
      const weight = this.constant(input)
      return weight ? { constant: this.#operand(input, weight) } : { value: this.value(input) }
    })
    const tensors = operands.flatMap((operand) => (operand.value ? [operand.value] : []))
    if (!tensors.length)
      throw new Error(`${this.model}: ${node.name}: arithmetic on constants alone is not supported`)
    const name = this.graph.node(
      onnxOp,
      operands.map((operand) => operand.value?.name ?? operand.constant!)
    )
    // Broadcasting: an SE block multiplies [N, C, H, W] by [N, C, 1, 1].
    return {
      name,
      channels: Math.max(...tensors.map((t) => t.channels)),
      height: Math.max(...tensors.map((t) => t.height)),
      width: Math.max(...tensors.map((t) => t.width)),
    }
  }
}

/**
 * The ONNX model for a TF.js graph model, with the NHWC outputs named in `outputs` (node
 * names) and one input of the graph's own name, NHWC, with a free batch size.
 */
export function convertTfjsGraph(
  json: GraphModelJson,
  shard: Uint8Array,
  options: { outputs: string[]; name: string }
): Uint8Array {
  const converter = new GraphConverter(
    json.modelTopology.node,
    readWeights(json.weightsManifest, shard),
    options.name
  )
  const outputs = options.outputs.map((output) => {
    const value = converter.value(output)
    converter.graph.node('Transpose', [value.name], [ints('perm', [0, 2, 3, 1])], output)
    return valueInfo(output, ['batch', value.height, value.width, value.channels])
  })
  const input = converter.input
  if (!input) throw new Error(`${options.name}: the outputs do not depend on an input`)
  return encodeModel(
    {
      name: options.name,
      node: converter.graph.nodes,
      initializer: converter.graph.initializers,
      input: [valueInfo(input.name, ['batch', input.height, input.width, input.channels])],
      output: outputs,
    },
    `${options.name}, converted from a TF.js graph model by athera`
  )
}
