/** The TF.js graph converter's convolutions (see ./graph.ts). */
import { transposeData } from '../onnx.js'
import type { GraphConverter, Value } from './graph.js'
import { UnsupportedGraphOpError, decodeString, type GraphNode } from './graph_json.js'

/** A convolution, dense or depthwise, with its fused bias and ReLU/ReLU6, NHWC in TF.js → NCHW. */
export function convertConv(c: GraphConverter, node: GraphNode, inputs: string[]): Value {
  const attr = node.attr ?? {}
  const depthwise = node.op.includes('Depthwise')
  const x = c.value(inputs[0])
  const filter = c.constant(inputs[1])
  if (!filter || filter.shape.length !== 4)
    throw new Error(`${c.model}: ${node.name}: the filter must be a constant of rank 4`)
  const format = decodeString(attr.data_format?.s)
  if (format && format !== 'NHWC')
    throw new Error(`${c.model}: ${node.name}: only NHWC convolutions are supported`)
  const [kh, kw, cin, multiplier] = filter.shape
  const fused = (attr.fused_ops?.list?.s ?? []).map(decodeString)
  const [, sh, sw] = (attr.strides?.list?.i ?? ['1', '1', '1', '1']).map(Number)
  const [, dh, dw] = (attr.dilations?.list?.i ?? ['1', '1', '1', '1']).map(Number)
  const padding = decodeString(attr.padding?.s)
  if (padding !== 'SAME' && padding !== 'VALID')
    throw new Error(`${c.model}: ${node.name}: ${padding} padding is not supported`)
  const known = new Set(['BiasAdd', 'Relu', 'Relu6'])
  const unknown = fused.find((op) => !known.has(op))
  if (unknown)
    throw new UnsupportedGraphOpError(`${node.op} fused with ${unknown}`, node.name, c.model)

  const outChannels = depthwise ? cin * multiplier : multiplier
  const weights = depthwise
    ? transposeData(filter.data, filter.shape, [2, 3, 0, 1]) // [cin, multiplier, kh, kw] = [out, 1, kh, kw]
    : transposeData(filter.data, filter.shape, [3, 2, 0, 1]) // [out, in, kh, kw]
  const dims = depthwise ? [outChannels, 1, kh, kw] : [outChannels, cin, kh, kw]
  const operands = [x.name, c.graph.float(c.graph.fresh('w'), dims, weights)]
  if (fused.includes('BiasAdd')) {
    const bias = c.constant(inputs[2])
    if (!bias) throw new Error(`${c.model}: ${node.name}: the bias must be a constant`)
    operands.push(c.graph.float(c.graph.fresh('b'), [outChannels], bias.data))
  }
  const same = padding === 'SAME'
  let name = c.graph.conv(operands, {
    size: [x.height, x.width],
    kernel: [kh, kw],
    strides: [sh, sw],
    dilations: [dh, dw],
    same,
    group: depthwise ? cin : 1,
  })
  if (fused.includes('Relu')) name = c.graph.node('Relu', [name])
  if (fused.includes('Relu6'))
    name = c.graph.node('Clip', [name, c.graph.scalar(0), c.graph.scalar(6)])
  const size = (n: number, k: number, s: number, d: number) =>
    same ? Math.ceil(n / s) : Math.floor((n - (k - 1) * d - 1) / s) + 1
  return {
    name,
    channels: outChannels,
    height: size(x.height, kh, sh, dh),
    width: size(x.width, kw, sw, dw),
  }
}
