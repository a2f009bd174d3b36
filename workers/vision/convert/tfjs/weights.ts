/**
 * TensorFlow.js weights: a manifest (names, shapes, storage types) and the binary shard it
 * describes. face-api ships its SSD weights this way, and human-models each graph model's
 * constants; both are read here into float32 arrays.
 */
import { halfToFloat } from '../tflite/convert.js'

interface ManifestEntry {
  name: string
  shape: number[]
  dtype: 'float32' | 'int32'
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number }
}

export type WeightsManifest = { paths: string[]; weights: ManifestEntry[] }[]

export interface Weight {
  shape: number[]
  /** The values as float32 (int32 constants, which are shapes and axes, fit exactly). */
  data: Float32Array
}

/** Bytes one value takes in the shard, or undefined for a storage this reader does not know. */
function storageBytes(entry: ManifestEntry) {
  const q = entry.quantization
  if (q?.dtype === 'uint8') return 1
  if (q?.dtype === 'float16') return 2
  if (!q && (entry.dtype === 'float32' || entry.dtype === 'int32')) return 4
  return undefined
}

/** The arrays of a TF.js weights manifest, dequantized to float32 (one shard, as both packages ship). */
export function readWeights(manifest: WeightsManifest, shard: Uint8Array): Map<string, Weight> {
  const weights = new Map<string, Weight>()
  let offset = 0
  for (const entry of manifest.flatMap((group) => group.weights)) {
    const count = entry.shape.reduce((a, b) => a * b, 1)
    const size = storageBytes(entry)
    if (!size)
      throw new Error(
        `weights ${entry.name}: ${entry.quantization?.dtype ?? entry.dtype} storage is not supported`
      )
    const bytes = count * size
    if (offset + bytes > shard.length)
      throw new Error(`weights ${entry.name} run past the end of the shard (${shard.length} bytes)`)
    const view = new DataView(shard.buffer, shard.byteOffset + offset, bytes)
    const data = new Float32Array(count)
    const q = entry.quantization
    if (q?.dtype === 'uint8') {
      const scale = q.scale ?? 1
      const min = q.min ?? 0
      for (let i = 0; i < count; i++) data[i] = view.getUint8(i) * scale + min
    } else if (q?.dtype === 'float16') {
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(2 * i, true))
    } else if (entry.dtype === 'int32') {
      for (let i = 0; i < count; i++) data[i] = view.getInt32(4 * i, true)
    } else {
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true)
    }
    offset += bytes
    weights.set(entry.name, { shape: entry.shape, data })
  }
  if (offset !== shard.length)
    throw new Error(`the manifest describes ${offset} bytes, the shard has ${shard.length}`)
  return weights
}
