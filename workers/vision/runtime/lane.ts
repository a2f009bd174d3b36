/**
 * A second thread for some of the models. onnxruntime-node runs a model synchronously on the
 * calling thread, and on two CPU cores its intra-op pool gains little on these small models
 * (bench:vision 12.4 fps with two threads per run, 12.2 with one), while two models run on two
 * threads side by side go 1.6× as fast as one after the other. So the face search and the body
 * detector run here, each model with one thread, while the vision thread runs pose and text;
 * `Model.run` on a lane model posts the inputs (copied) and resolves with the outputs.
 */
import type { Frame } from '../../pipeline/types.js'
import type { FaceDetection, FaceDetectorOptions, FaceSearch } from '../faces/detector.js'
import type { Region } from '../faces/regions.js'
import type { ExecutionProvider, Model, Tensor } from '../types.js'
import { WorkerCalls } from './worker_calls.js'

/** Which lane models a face search uses, by the names they were loaded under. */
export interface LaneFaceModels {
  short?: string
  full?: string
  ssd?: string
}

export type LaneRequest =
  | { type: 'load'; id: number; name: string; path: string; threads: number }
  | { type: 'run'; id: number; path: string; feeds: Record<string, Tensor> }
  | {
      type: 'faces'
      id: number
      models: LaneFaceModels
      options: Partial<FaceDetectorOptions>
      frame: Omit<Frame, 'data'>
      data: Uint8Array
      plan: { tiles?: Region[]; squares?: Region[] }
    }

export type LaneReply =
  | {
      type: 'loaded'
      id: number
      inputNames: string[]
      outputNames: string[]
      provider: ExecutionProvider
    }
  | { type: 'outputs'; id: number; outputs: Record<string, Tensor> }
  | { type: 'faces'; id: number; faces: FaceDetection[] }
  | { type: 'log'; line: string }
  | { type: 'error'; id: number; message: string }

export class ModelLane {
  #calls: WorkerCalls<LaneReply>

  /** `onDeath`: the thread stopped (a crash, not close()); every call from then on fails. */
  constructor(options: {
    provider: ExecutionProvider
    log?: (line: string) => void
    onDeath?: (error: Error) => void
  }) {
    this.#calls = new WorkerCalls<LaneReply>(new URL('./lane_worker.js', import.meta.url), {
      workerData: { provider: options.provider },
      label: 'the model lane',
      onMessage: (message) => {
        if (message.type === 'log') (options.log ?? console.warn)(message.line)
      },
      onStop: (error, closed) => {
        if (!closed) options.onDeath?.(error)
      },
    })
  }

  /** The model at `path`, loaded on the lane; runs go there. */
  async load(
    name: string,
    path: string,
    threads: number
  ): Promise<Model & { provider: ExecutionProvider }> {
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
    return {
      detect: async (frame, plan = {}) => {
        const { data, ...info } = frame
        const reply = await this.#request({
          type: 'faces',
          id: 0,
          models,
          options,
          frame: info,
          data,
          plan,
        })
        return reply.faces as FaceDetection[]
      },
    }
  }

  #request(request: LaneRequest): Promise<any> {
    return this.#calls.request(request)
  }

  close() {
    return this.#calls.close()
  }
}
