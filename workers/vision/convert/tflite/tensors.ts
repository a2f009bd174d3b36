/** The values of a TFLite tensor's buffer: float32, fp16 and int32, densified when sparse. */
import { TensorType, TENSOR_TYPE_NAMES, type Sparsity, type TfliteTensor } from './reader.js'

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
  throw new Error(
    `${model}: tensor ${tensor.name} has type ${TENSOR_TYPE_NAMES[tensor.type] ?? tensor.type}, which the converter does not read`
  )
}

/**
 * Expands TFLite's sparse storage (TACO-style: per traversal level either dense, or CSR segments
 * plus indices; optional block dimensions) into a dense row-major array of `shape`.
 */
export function densify(
  values: ArrayLike<number>,
  shape: number[],
  sparsity: Sparsity
): Float32Array {
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
export function constantValues(
  tensor: TfliteTensor,
  model = 'the TFLite model'
): Float32Array | Int32Array {
  const values = decode(tensor, model)
  return tensor.sparsity ? densify(values, tensor.shape, tensor.sparsity) : values
}
