/**
 * A second thread for some of the models. onnxruntime-node runs a model synchronously on the
 * calling thread, and on two CPU cores its intra-op pool gains little on these small models
 * (bench:vision 12.4 fps with two threads per run, 12.2 with one), while two models run on two
 * threads side by side go 1.6× as fast as one after the other. So the face models run here,
 * each with one thread, while the vision thread runs pose and text; `Model.run` on a lane model
 * posts the inputs (copied) and resolves with the outputs.
 */
import { Worker } from 'node:worker_threads'
import type { Frame } from '../pipeline/types.js'
import type { FaceDetection, FaceDetectorOptions, FaceSearch, Region } from './faces/detector.js'
import type { ExecutionProvider, Model, Tensor } from './types.js'
import { workerEntry } from './thread_entry.js'

/** Which lane models a face search uses, by the names they were loaded under. */
export interface LaneFaceModels {
  short?: string
  full?: string
  ssd?: string
}

type FaceCall =
  | { op: 'detect'; plan: { tiles?: Region[]; squares?: Region[] } }
  | { op: 'lookAgain'; boxes: Region[] }

export type LaneRequest =
  | { type: 'load'; id: number; name: string; path: string; threads: number }
  | { type: 'run'; id: number; path: string; feeds: Record<string, Tensor> }
  | ({ type: 'faces'; id: number; models: LaneFaceModels; options: Partial<FaceDetectorOptions>; frame: Omit<Frame, 'data'>; data: Uint8Array } & FaceCall)

export type LaneReply =
  | { type: 'loaded'; id: number; inputNames: string[]; outputNames: string[]; provider: ExecutionProvider }
  | { type: 'outputs'; id: number; outputs: Record<string, Tensor> }
  | { type: 'faces'; id: number; faces: (FaceDetection | null)[] }
  | { type: 'log'; line: string }
  | { type: 'error'; id: number; message: string }

export class ModelLane {
  #worker: Worker
  #pending = new Map<number, { resolve: (reply: any) => void; reject: (error: Error) => void }>()
  #nextId = 1
  #dead?: Error

  #closing = false

  /** `onDeath`: the thread stopped (a crash, not close()); every call from then on fails. */
  constructor(options: { provider: ExecutionProvider; log?: (line: string) => void; onDeath?: (error: Error) => void }) {
    this.#worker = new Worker(workerEntry(new URL('./lane_worker.js', import.meta.url)), {
      eval: true,
      workerData: { provider: options.provider },
    })
    this.#worker.unref()
    this.#worker.on('message', (message: LaneReply) => {
      if (message.type === 'log') return (options.log ?? console.warn)(message.line)
      const pending = this.#pending.get(message.id)
      if (!pending) return
      this.#pending.delete(message.id)
      if (message.type === 'error') pending.reject(new Error(message.message))
      else pending.resolve(message)
    })
    const die = (error: Error) => {
      if (this.#dead) return
      this.#dead = error
      for (const pending of this.#pending.values()) pending.reject(error)
      this.#pending.clear()
      if (!this.#closing) options.onDeath?.(error)
    }
    this.#worker.on('error', die)
    this.#worker.on('exit', (code) => die(new Error(`the model lane stopped (exit code ${code})`)))
  }

  /** The model at `path`, loaded on the lane; runs go there. */
  async load(name: string, path: string, threads: number): Promise<Model & { provider: ExecutionProvider }> {
    const loaded = await this.#request({ type: 'load', id: 0, name, path, threads })
    const lane = this
    return {
      name,
      inputNames: loaded.inputNames,
      outputNames: loaded.outputNames,
      provider: loaded.provider,
      async run(feeds: Record<string, Tensor>) {
        const reply = await lane.#request({ type: 'run', id: 0, path, feeds })
        return reply.outputs as Record<string, Tensor>
      },
    }
  }

  /**
   * A face search that runs on the lane whole: letterboxing, every model run and decoding.
   * Only its inputs and result cross (the frame is copied), so it never waits for a turn of
   * the calling thread between two of its runs.
   */
  faceSearch(models: LaneFaceModels, options: Partial<FaceDetectorOptions>): FaceSearch {
    const call = async (frame: Frame, body: FaceCall) => {
      const { data, ...info } = frame
      const reply = await this.#request({ type: 'faces', id: 0, models, options, frame: info, data, ...body })
      return reply.faces as (FaceDetection | null)[]
    }
    return {
      detect: async (frame, plan = {}) => (await call(frame, { op: 'detect', plan })) as FaceDetection[],
      lookAgain: (frame, boxes) => call(frame, { op: 'lookAgain', boxes }),
    }
  }

  #request(request: LaneRequest): Promise<any> {
    if (this.#dead) return Promise.reject(this.#dead)
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ ...request, id })
    })
  }

  async close() {
    this.#closing = true
    await this.#worker.terminate()
  }
}
