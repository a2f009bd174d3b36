/**
 * Several inputs of one model in one run. On a CPU these models are small enough that a run's
 * fixed cost (dispatch, thread wake-ups) is a good part of its time: per item, a batch of 8
 * BlazeFace tiles or 3 people's landmarks ran 1.2–2× faster than single runs on two cores.
 * Every model in the catalog takes a batch of any size (see tflite/convert.ts).
 */
import type { Model, Tensor } from '../types.js'

/**
 * Items per run. Past this a batch gets slower per item, not faster: its activations outgrow
 * the caches. A video's first keyframe searches every face tile at once (~60 on 720p): on two
 * cores 64 full-range tiles ran at 2.8 ms each in one run and at 2.0 ms in runs of 16.
 */
export const MAX_BATCH = 16

/**
 * One run of `model` on `items` (each of `itemDims`, the batch dimension left out), stacked;
 * in runs of MAX_BATCH when there are more, their outputs stacked back into one batch.
 */
export async function runBatch(
  model: Model,
  items: readonly Float32Array[],
  itemDims: readonly number[]
) {
  if (items.length <= MAX_BATCH) return runStacked(model, items, itemDims)
  const parts: Record<string, Tensor>[] = []
  for (let start = 0; start < items.length; start += MAX_BATCH) {
    parts.push(await runStacked(model, items.slice(start, start + MAX_BATCH), itemDims))
  }
  return stack(parts, MAX_BATCH)
}

function runStacked(model: Model, items: readonly Float32Array[], itemDims: readonly number[]) {
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

/**
 * The outputs of several runs as one batch. An output whose first dimension is not the first
 * run's item count does not depend on the batch (the SSD's anchors): the first run's is kept.
 */
function stack(parts: Record<string, Tensor>[], firstCount: number): Record<string, Tensor> {
  const stacked: Record<string, Tensor> = {}
  for (const [name, first] of Object.entries(parts[0])) {
    if (first.dims[0] !== firstCount) {
      stacked[name] = first
      continue
    }
    const tensors = parts.map((part) => part[name])
    const data = new Float32Array(tensors.reduce((sum, tensor) => sum + tensor.data.length, 0))
    let offset = 0
    for (const tensor of tensors) {
      data.set(tensor.data, offset)
      offset += tensor.data.length
    }
    stacked[name] = {
      data,
      dims: [tensors.reduce((sum, tensor) => sum + tensor.dims[0], 0), ...first.dims.slice(1)],
    }
  }
  return stacked
}

/** The outputs of batch item `index`, each a batch of one (views into the batched data). */
export function itemOf(outputs: Record<string, Tensor>, index: number): Record<string, Tensor> {
  const item: Record<string, Tensor> = {}
  for (const [name, tensor] of Object.entries(outputs)) {
    const size = tensor.data.length / tensor.dims[0]
    item[name] = {
      data: tensor.data.subarray(index * size, (index + 1) * size),
      dims: [1, ...tensor.dims.slice(1)],
    }
  }
  return item
}
