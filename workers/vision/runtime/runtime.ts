/**
 * onnxruntime behind one small class: each model file becomes one session per worker process
 * (sessions are costly to create and safe to reuse), with a bounded thread count, on CUDA when
 * asked for and present, otherwise on the CPU with a log line saying why.
 */
import * as ort from 'onnxruntime-node'
import { ModelLane } from './lane.js'
import type { ExecutionProvider, Model, Tensor } from '../types.js'

export interface RuntimeOptions {
  /** Threads for one operator (onnxruntime's intra-op pool); the pipeline's ffmpeg needs the rest. */
  threads: number
  /** `cuda` is used when the CUDA provider is installed (the GPU image); otherwise CPU. */
  provider: ExecutionProvider
  /** Where to say that CUDA was asked for but is missing (default: console.warn). */
  log?: (message: string) => void
  /** Models that run on a second thread (./lane.ts), side by side with the others. */
  laneModels?: readonly string[]
  /** The lane's thread stopped on its own: its models fail from then on. */
  onLaneDeath?: (error: Error) => void
}

export class VisionRuntime {
  readonly options: RuntimeOptions
  /** The provider sessions actually run on, known after the first model loads. */
  provider: ExecutionProvider = 'cpu'
  #sessions = new Map<string, Promise<Model>>()
  #warned = false
  #lane?: ModelLane

  constructor(options: Partial<RuntimeOptions> = {}) {
    this.options = {
      ...options,
      threads: options.threads ?? 2,
      provider: options.provider ?? 'cpu',
    }
  }

  /** The second thread `laneModels` run on, once one of them is loaded. */
  get lane() {
    return this.#lane
  }

  /**
   * The model at `path` (an .onnx file), loaded once and shared by every caller; its runs
   * use `threads` of onnxruntime's (default: the runtime's). A lane model loads on the lane,
   * unless `here` asks for a session on this thread.
   */
  load(
    name: string,
    path: string,
    threads = this.options.threads,
    options: { here?: boolean } = {}
  ): Promise<Model> {
    const onLane = !options.here && this.options.laneModels?.includes(name) === true
    const key = onLane ? `lane:${path}` : path
    let model = this.#sessions.get(key)
    if (!model) {
      model = this.#create(name, path, threads, onLane)
      this.#sessions.set(key, model)
      model.catch(() => this.#sessions.delete(key))
    }
    return model
  }

  async #create(name: string, path: string, threads: number, onLane: boolean): Promise<Model> {
    if (onLane) {
      this.#lane ??= new ModelLane({
        provider: this.options.provider,
        log: this.options.log,
        onDeath: this.options.onLaneDeath,
      })
      const model = await this.#lane.load(name, path, threads)
      if (model.provider === 'cuda') this.provider = 'cuda'
      return model
    }
    const base = sessionOptions(threads)
    let session: ort.InferenceSession | undefined
    if (this.options.provider === 'cuda') {
      try {
        session = await ort.InferenceSession.create(path, {
          ...base,
          executionProviders: ['cuda', 'cpu'],
        })
        this.provider = 'cuda'
      } catch (error) {
        this.#warn(
          `CUDA was requested but cannot be used (${(error as Error).message.split('\n')[0]}); models run on the CPU.`
        )
      }
    }
    session ??= await ort.InferenceSession.create(path, { ...base, executionProviders: ['cpu'] })
    return new OnnxModel(name, session)
  }

  #warn(message: string) {
    if (this.#warned) return
    this.#warned = true
    ;(this.options.log ?? console.warn)(message)
  }

  /** Frees every session (tests and worker shutdown). */
  async close() {
    const models = await Promise.allSettled(this.#sessions.values())
    this.#sessions.clear()
    for (const model of models)
      if (model.status === 'fulfilled' && model.value instanceof OnnxModel)
        await model.value.release()
    await this.#lane?.close()
    this.#lane = undefined
  }
}

/**
 * What every session runs with. Its threads sleep between runs instead of spinning
 * (onnxruntime's default): between two runs the calling thread does JavaScript (sampling,
 * decoding, blurring) and ffmpeg decodes and encodes, and on two cores a pool spinning while it
 * waits for its next run takes the core they need (bench:vision: 9.9 fps spinning, 13.6 fps
 * not, on one machine in one hour).
 */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // The Node binding passes `extra` on as session config entries, keys joined by dots.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  }
}

class OnnxModel implements Model {
  readonly inputNames: readonly string[]
  readonly outputNames: readonly string[]

  constructor(
    readonly name: string,
    private session: ort.InferenceSession
  ) {
    this.inputNames = session.inputNames
    this.outputNames = session.outputNames
  }

  async run(feeds: Record<string, Tensor>) {
    const inputs: Record<string, ort.Tensor> = {}
    for (const [key, tensor] of Object.entries(feeds))
      inputs[key] = new ort.Tensor('float32', tensor.data, tensor.dims)
    const outputs = await this.session.run(inputs)
    const result: Record<string, Tensor> = {}
    for (const [key, tensor] of Object.entries(outputs)) {
      result[key] = { data: tensor.data as Float32Array, dims: tensor.dims }
    }
    return result
  }

  release() {
    return this.session.release()
  }
}
