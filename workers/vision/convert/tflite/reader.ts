/**
 * A reader for the parts of the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs) the
 * converter needs. No generated schema package exists on npm, so the few tables are read by hand
 * through flatbuffers' ByteBuffer: a table field is found by its slot in the vtable
 * (4 + 2 × field index), and a union takes two slots (its type, then its value).
 */
import { ByteBuffer } from 'flatbuffers'
import {
  operatorName,
  type Sparsity,
  type TfliteModel,
  type TfliteOperator,
  type TfliteTensor,
} from './schema.js'

export * from './schema.js'

/** A table position plus typed field access by field index. */
class Table {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number
  ) {}

  #field(index: number) {
    return this.bb.__offset(this.pos, 4 + 2 * index)
  }
  has(index: number) {
    return this.#field(index) !== 0
  }
  int32(index: number, fallback = 0) {
    const o = this.#field(index)
    return o ? this.bb.readInt32(this.pos + o) : fallback
  }
  uint32(index: number, fallback = 0) {
    const o = this.#field(index)
    return o ? this.bb.readUint32(this.pos + o) : fallback
  }
  int8(index: number, fallback = 0) {
    const o = this.#field(index)
    return o ? this.bb.readInt8(this.pos + o) : fallback
  }
  uint8(index: number, fallback = 0) {
    const o = this.#field(index)
    return o ? this.bb.readUint8(this.pos + o) : fallback
  }
  bool(index: number) {
    return this.uint8(index) !== 0
  }
  string(index: number) {
    const o = this.#field(index)
    return o ? (this.bb.__string(this.pos + o) as string) : ''
  }
  table(index: number): Table | undefined {
    const o = this.#field(index)
    return o ? new Table(this.bb, this.bb.__indirect(this.pos + o)) : undefined
  }
  tables(index: number): Table[] {
    const o = this.#field(index)
    if (!o) return []
    const start = this.bb.__vector(this.pos + o)
    const length = this.bb.__vector_len(this.pos + o)
    const result: Table[] = []
    for (let i = 0; i < length; i++)
      result.push(new Table(this.bb, this.bb.__indirect(start + 4 * i)))
    return result
  }
  /** A byte vector, as a view into the model's bytes (weight buffers are large: no copy). */
  bytes(index: number): Uint8Array {
    const o = this.#field(index)
    if (!o) return new Uint8Array(0)
    const start = this.bb.__vector(this.pos + o)
    const length = this.bb.__vector_len(this.pos + o)
    const all = this.bb.bytes()
    return all.subarray(start, start + length)
  }
  int32s(index: number): number[] {
    const o = this.#field(index)
    if (!o) return []
    const start = this.bb.__vector(this.pos + o)
    const length = this.bb.__vector_len(this.pos + o)
    const result: number[] = []
    for (let i = 0; i < length; i++) result.push(this.bb.readInt32(start + 4 * i))
    return result
  }
  uint16s(index: number): number[] {
    const o = this.#field(index)
    if (!o) return []
    const start = this.bb.__vector(this.pos + o)
    const length = this.bb.__vector_len(this.pos + o)
    const result: number[] = []
    for (let i = 0; i < length; i++) result.push(this.bb.readUint16(start + 2 * i))
    return result
  }
}

/** Typed access to one operator's options table (fields by index, as in schema.fbs). */
export class OptionsReader {
  constructor(private readonly bb: ByteBuffer) {}
  int32(op: TfliteOperator, field: number, fallback = 0) {
    return op.optionsPos ? new Table(this.bb, op.optionsPos).int32(field, fallback) : fallback
  }
  int8(op: TfliteOperator, field: number, fallback = 0) {
    return op.optionsPos ? new Table(this.bb, op.optionsPos).int8(field, fallback) : fallback
  }
  bool(op: TfliteOperator, field: number) {
    return op.optionsPos ? new Table(this.bb, op.optionsPos).bool(field) : false
  }
  int32s(op: TfliteOperator, field: number) {
    return op.optionsPos ? new Table(this.bb, op.optionsPos).int32s(field) : []
  }
}

/** A SparseIndexVector union value: Int32Vector = 1, Uint16Vector = 2, Uint8Vector = 3. */
function indexVector(dim: Table, typeField: number): ArrayLike<number> | undefined {
  const type = dim.uint8(typeField)
  const value = dim.table(typeField + 1)
  if (!type || !value) return undefined
  if (type === 1) return value.int32s(0)
  if (type === 2) return value.uint16s(0)
  if (type === 3) return value.bytes(0)
  throw new Error(`Unknown TFLite sparse index vector type ${type}`)
}

function readSparsity(table: Table): Sparsity {
  return {
    traversalOrder: table.int32s(0),
    blockMap: table.int32s(1),
    dimensions: table.tables(2).map((dim) => ({
      format: dim.int8(0),
      denseSize: dim.int32(1),
      segments: indexVector(dim, 2),
      indices: indexVector(dim, 4),
    })),
  }
}

/** Reads the first subgraph of a TFLite model (MediaPipe's models have one). */
export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'TFL3') {
    throw new Error('Not a TFLite model: the file identifier "TFL3" is missing')
  }
  const bb = new ByteBuffer(bytes)
  const model = new Table(bb, bb.readInt32(bb.position()) + bb.position())

  const codes = model.tables(1).map((code) => {
    // builtin_code (field 3) replaced the byte-wide deprecated_builtin_code (field 0) once codes
    // passed 127; writers fill both, older files only the deprecated one.
    const deprecated = code.int8(0)
    const builtin = code.int32(3)
    return { code: Math.max(deprecated, builtin), custom: code.has(1) ? code.string(1) : undefined }
  })

  const buffers = model.tables(4).map((buffer) => {
    if (buffer.has(0)) return buffer.bytes(0)
    // Files over 2 GB keep data outside the flatbuffer (offset/size from the file start).
    const offsetField = buffer.has(1)
      ? Number(bb.readUint64(buffer.pos + bb.__offset(buffer.pos, 6)))
      : 0
    const sizeField = buffer.has(2)
      ? Number(bb.readUint64(buffer.pos + bb.__offset(buffer.pos, 8)))
      : 0
    return offsetField > 1
      ? bytes.subarray(offsetField, offsetField + sizeField)
      : new Uint8Array(0)
  })

  const subgraphs = model.tables(2)
  if (subgraphs.length === 0) throw new Error('The TFLite model has no subgraph')
  const graph = subgraphs[0]

  const tensors: TfliteTensor[] = graph.tables(0).map((tensor, index) => {
    const sparsity = tensor.table(6)
    return {
      index,
      shape: tensor.int32s(0),
      type: tensor.int8(1),
      data: buffers[tensor.uint32(2)] ?? new Uint8Array(0),
      name: tensor.string(3),
      sparsity: sparsity ? readSparsity(sparsity) : undefined,
    }
  })

  const operators: TfliteOperator[] = graph.tables(3).map((op) => {
    const opcode = codes[op.uint32(0)]
    if (!opcode)
      throw new Error(`TFLite operator refers to a missing operator code ${op.uint32(0)}`)
    const options = op.table(4)
    const isCustom = opcode.code === 32
    return {
      code: isCustom ? -1 : opcode.code,
      name: isCustom ? `CUSTOM(${opcode.custom ?? ''})` : operatorName(opcode.code),
      custom: isCustom ? opcode.custom : undefined,
      inputs: op.int32s(1),
      outputs: op.int32s(2),
      optionsPos: options?.pos ?? 0,
    }
  })

  return {
    version: model.uint32(0),
    description: model.string(3),
    tensors,
    operators,
    inputs: graph.int32s(1),
    outputs: graph.int32s(2),
    options: new OptionsReader(bb),
  }
}
