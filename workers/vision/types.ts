/**
 * The contract between the vision parts (converter, runtime, faces, text, pose, tracking,
 * blurring) and the pipeline. Plain TypeScript: nothing here imports `app/`.
 *
 * Coordinates are always pixels of the frame the pipeline hands over (the output geometry,
 * 1280×720 by default), x to the right, y down; a box is its top-left corner and size.
 */

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

export interface Detection extends Box {
  /** 0–1 confidence of the detector. */
  score: number
}

/** A float32 tensor as onnxruntime takes and gives it (row-major, `dims` e.g. [1, 3, 224, 224]). */
export interface Tensor {
  data: Float32Array
  dims: readonly number[]
}

/** One loaded model: created once per worker process, run many times (see ./runtime/runtime.ts). */
export interface Model {
  /** Our name for it (`face-short`, `pose-detector`, …), for logs and metadata.json. */
  readonly name: string
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]
  /**
   * onnxruntime-node runs the model synchronously on the calling thread (with its own pool for
   * each operator), so two runs on one thread never overlap: batch inputs (./runtime/batch.ts) rather
   * than start runs side by side, and keep vision off the HTTP process's event loop
   * (./runtime/thread.ts). A model on the lane (./runtime/lane.ts) runs on that thread instead, beside them.
   */
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>
}

export type ExecutionProvider = 'cpu' | 'cuda'
