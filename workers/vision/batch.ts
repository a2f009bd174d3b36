/**
 * Several inputs of one model in one run. On a CPU these models are small enough that a run's
 * fixed cost (dispatch, thread wake-ups) is a good part of its time: per item, a batch of 8
 * BlazeFace tiles or 3 people's landmarks ran 1.2–2× faster than single runs on two cores.
 * Every model in the catalog takes a batch of any size (see tflite/convert.ts).
 */
import type { Model, Tensor } from './types.js'

/** One run of `model` on `items` (each of `itemDims`, the batch dimension left out), stacked. */
export function runBatch(model: Model, items: readonly Float32Array[], itemDims: readonly number[]) {
  const size = itemDims.reduce((product, dim) => product * dim, 1)
  let data: Float32Array
  if (items.length === 1) {
    data = items[0]
  } else {
    data = new Float32Array(items.length * size)
    items.forEach((item, i) => data.set(item, i * size))
  }
  return model.run({ [model.inputNames[0]]: { data, dims: [items.length, ...itemDims] } })
}

/** The outputs of batch item `index`, each a batch of one (views into the batched data). */
export function itemOf(outputs: Record<string, Tensor>, index: number): Record<string, Tensor> {
  const item: Record<string, Tensor> = {}
  for (const [name, tensor] of Object.entries(outputs)) {
    const size = tensor.data.length / tensor.dims[0]
    item[name] = { data: tensor.data.subarray(index * size, (index + 1) * size), dims: [1, ...tensor.dims.slice(1)] }
  }
  return item
}
