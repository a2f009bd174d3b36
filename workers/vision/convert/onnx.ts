/**
 * Building ONNX graphs by hand: the TFLite converter (./tflite) and the model builders for
 * weights shipped as plain arrays (./ssd_build.ts) share these pieces.
 */
// onnx-proto is CommonJS assigning module.exports, so Node's ESM loader sees only a default export.
import onnxProto from 'onnx-proto'
import type { onnx as proto } from 'onnx-proto'

const { onnx } = onnxProto

const ONNX_FLOAT = 1
const ONNX_INT64 = 7
const OPSET = 13
/** IR 8 is the newest onnx-proto 8 knows and well within what onnxruntime 1.30 reads. */
const IR_VERSION = 8

/** Row-major transpose of `data` with `shape` by `perm` (output dim i = input dim perm[i]). */
export function transposeData<T extends Float32Array | Int32Array>(
  data: T,
  shape: number[],
  perm: number[]
): T {
  const rank = shape.length
  const outShape = perm.map((p) => shape[p])
  const inStrides = new Array<number>(rank).fill(1)
  for (let d = rank - 2; d >= 0; d--) inStrides[d] = inStrides[d + 1] * shape[d + 1]
  const out = new (data.constructor as { new (n: number): T })(data.length)
  const index = new Array<number>(rank).fill(0)
  for (let o = 0; o < data.length; o++) {
    let source = 0
    for (let d = 0; d < rank; d++) source += index[d] * inStrides[perm[d]]
    out[o] = data[source]
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break
      index[d] = 0
    }
  }
  return out
}

export class GraphBuilder {
  nodes: proto.INodeProto[] = []
  initializers: proto.ITensorProto[] = []
  #counter = 0
  #scalars = new Map<number, string>()

  /** A graph-internal name; the prefix keeps it clear of the TFLite names used for inputs/outputs. */
  fresh(hint: string) {
    return `athera:${hint}:${this.#counter++}`
  }

  node(op: string, inputs: string[], attributes: proto.IAttributeProto[] = [], output?: string) {
    const out = output ?? this.fresh(op)
    this.nodes.push({
      opType: op,
      input: inputs,
      output: [out],
      name: this.fresh(`${op}_node`),
      attribute: attributes,
    })
    return out
  }

  float(name: string, dims: number[], data: Float32Array) {
    this.initializers.push({
      name,
      dims,
      dataType: ONNX_FLOAT,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    })
    return name
  }

  int64(hint: string, values: number[]) {
    const name = this.fresh(hint)
    const data = new BigInt64Array(values.map((v) => BigInt(v)))
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: ONNX_INT64,
      rawData: new Uint8Array(data.buffer),
    })
    return name
  }

  /**
   * An NCHW convolution (`inputs`: x, weights [out, in/group, kh, kw], optional bias) with TF's
   * SAME padding, or none (VALID), on an input of `size` = [height, width].
   */
  conv(
    inputs: string[],
    o: {
      size: [number, number]
      kernel: [number, number]
      strides: [number, number]
      dilations?: [number, number]
      same: boolean
      group: number
    }
  ) {
    const dilations = o.dilations ?? [1, 1]
    const [top, bottom] = o.same
      ? samePads(o.size[0], o.kernel[0], o.strides[0], dilations[0])
      : [0, 0]
    const [left, right] = o.same
      ? samePads(o.size[1], o.kernel[1], o.strides[1], dilations[1])
      : [0, 0]
    return this.node('Conv', inputs, [
      ints('kernel_shape', o.kernel),
      ints('strides', o.strides),
      ints('dilations', dilations),
      ints('pads', [top, left, bottom, right]),
      int('group', o.group),
    ])
  }

  scalar(value: number) {
    let name = this.#scalars.get(value)
    if (!name) {
      name = this.fresh('scalar')
      this.float(name, [], new Float32Array([value]))
      this.#scalars.set(value, name)
    }
    return name
  }
}

export const ints = (name: string, values: number[]): proto.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
})
export const int = (name: string, value: number): proto.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i: value,
})
export const str = (name: string, value: string): proto.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.STRING,
  s: new TextEncoder().encode(value),
})

/** A float tensor's name and shape; a string dimension is symbolic (e.g. a free batch size). */
export function valueInfo(name: string, shape: (number | string)[]): proto.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  return { name, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim } } } }
}

/** TensorFlow's SAME padding on one spatial axis: [before, after]. */
export function samePads(input: number, kernel: number, stride: number, dilation = 1) {
  const output = Math.ceil(input / stride)
  const effective = (kernel - 1) * dilation + 1
  const total = Math.max((output - 1) * stride + effective - input, 0)
  const before = Math.floor(total / 2)
  return [before, total - before]
}

/** A serialized ModelProto around `graph`. */
export function encodeModel(graph: proto.IGraphProto, docString: string): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'athera',
    producerVersion: '1',
    docString,
    graph,
  }).finish()
}
