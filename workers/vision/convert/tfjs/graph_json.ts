/** A TensorFlow.js graph model's model.json as the converter (./graph.ts) reads it. */
import type { WeightsManifest } from './weights.js'

export interface AttrValue {
  s?: string
  i?: string
  f?: number
  b?: boolean
  list?: { i?: string[]; s?: string[] }
}

export interface GraphNode {
  name: string
  op: string
  input?: string[]
  attr?: Record<string, AttrValue>
}

export interface GraphModelJson {
  modelTopology: { node: GraphNode[] }
  weightsManifest: WeightsManifest
}

/** A node whose op the converter does not handle: it fails loudly rather than guess. */
export class UnsupportedGraphOpError extends Error {
  constructor(op: string, node: string, model: string) {
    super(`${model}: node ${node} uses ${op}, which the TF.js graph converter does not support`)
  }
}

/** A string attribute's value (base64 in model.json). */
export const decodeString = (value: string | undefined) =>
  value ? Buffer.from(value, 'base64').toString('utf8') : ''
