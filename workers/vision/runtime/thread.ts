/**
 * The vision processors behind a worker thread. onnxruntime-node runs each model synchronously
 * on the calling thread, and the JavaScript around the models takes tens of milliseconds per
 * frame more; in the process that also serves HTTP and holds BullMQ's job locks, that would
 * stall the event loop frame after frame. Here the caller's thread stays free to feed ffmpeg
 * (frames decoded ahead, encoded behind). Frames cross to the thread and back by transfer (no copy).
 *
 * Each clip gets its pose and anonymize processors on the thread; here they are two proxies
 * with the same names, roles and versions: the first sends the frame and gets it back blurred
 * with its people and the regions blurred, the second hands those regions on (regions.json)
 * and reports its statistics at the end.
 */
import type { BlurredRegion, Frame, FrameProcessor, PersonKeypoints } from '../../pipeline/types.js'
import { ANONYMIZE_MODELS } from '../models.js'
import type { VisionSettings } from '../settings.js'
import { WorkerCalls } from './worker_calls.js'

type FrameInfo = Omit<Frame, 'data'>

export type ThreadRequest =
  | { type: 'open'; session: number; sport: string | null }
  | {
      type: 'init'
      session: number
      id: number
      info: { width: number; height: number; fps: number }
    }
  | { type: 'frame'; session: number; id: number; frame: FrameInfo; data: ArrayBuffer }
  | { type: 'prepare'; session: number; frame: FrameInfo; data: ArrayBuffer }
  | { type: 'finish'; session: number; id: number }
  | { type: 'close'; session: number }

export type ThreadReply =
  | { type: 'ready'; versions: Record<string, string>; provider: string }
  | { type: 'failed'; message: string }
  | { type: 'log'; line: string }
  | {
      type: 'frame'
      id: number
      people: PersonKeypoints[]
      blurred: BlurredRegion[]
      data: ArrayBuffer
    }
  | { type: 'initialised'; id: number }
  | { type: 'finish'; id: number; stats: Record<string, Record<string, unknown>> }
  | { type: 'error'; id: number; message: string }

export class VisionThread {
  readonly ready: Promise<{ versions: Record<string, string>; provider: string }>
  #calls: WorkerCalls<ThreadReply>
  #nextSession = 1
  readonly #settings: VisionSettings

  constructor(settings: VisionSettings, log: (line: string) => void = console.warn) {
    this.#settings = settings
    let markReady: (value: { versions: Record<string, string>; provider: string }) => void
    let markFailed: (error: Error) => void
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve
      markFailed = reject
    })
    this.ready.catch(() => {})
    this.#calls = new WorkerCalls<ThreadReply>(new URL('./thread_worker.js', import.meta.url), {
      workerData: { settings },
      label: 'the vision thread',
      onMessage: (message) => {
        if (message.type === 'ready') markReady(message)
        else if (message.type === 'failed') markFailed(new Error(message.message))
        else if (message.type === 'log') log(message.line)
      },
      onStop: (error) => markFailed(error),
    })
  }

  get alive() {
    return this.#calls.alive
  }

  /** A pose and an anonymize processor for one clip, running on the thread; `sport` is the clip's (see ClipHints). */
  async processors(clip: { sport?: string | null } = {}): Promise<FrameProcessor[]> {
    const { versions } = await this.ready
    const session = this.#nextSession++
    this.#post({ type: 'open', session, sport: clip.sport ?? null })
    const model = this.#settings.pose.model
    let stats: Promise<Record<string, Record<string, unknown>>> | undefined
    let blurred: BlurredRegion[] = []
    const finish = () =>
      (stats ??= this.#request({ type: 'finish', session, id: 0 }).then((reply) => reply.stats))
    const pose: FrameProcessor = {
      name: 'pose',
      role: 'pose',
      version: `${versions['pose-detector']} + ${versions[`pose-landmark-${model}`]}`,
      // Both processors on the thread learn the output size (the face tracker's keep time depends on it).
      init: async (info) => {
        await this.#request({ type: 'init', session, id: 0, info })
      },
      // Only the anonymizer prepares, only keyframes (their face search), and only to gain
      // from the lane: other frames are not copied over. A copy, because the frame itself
      // stays here until its turn (process() transfers it).
      prepare: this.#settings.lane
        ? (frame) => {
            if (frame.index % this.#settings.detectEvery !== 0) return
            const { data, ...info } = frame
            const copy = new Uint8Array(data).buffer
            this.#post({ type: 'prepare', session, frame: info, data: copy }, [copy])
          }
        : undefined,
      process: async (frame) => {
        // Frames from FrameReader own their whole ArrayBuffer; anything else is copied first.
        const data =
          frame.data.byteOffset === 0 && frame.data.byteLength === frame.data.buffer.byteLength
            ? (frame.data.buffer as ArrayBuffer)
            : new Uint8Array(frame.data).buffer
        // The pixels travel apart, as a transferred buffer; the rest of the frame is copied.
        const { data: pixels, ...info } = frame
        const reply = await this.#request({ type: 'frame', session, id: 0, frame: info, data }, [
          data,
        ])
        frame.data = Buffer.from(reply.data)
        blurred = reply.blurred
        return reply.people
      },
      finish: async () => {
        const finished = await finish()
        return finished.pose
      },
      // A frame already in flight is still answered: it holds its own processors there.
      close: () => {
        if (!stats) this.#post({ type: 'close', session })
      },
    }
    const anonymize: FrameProcessor = {
      name: 'anonymize',
      role: 'anonymization',
      version: ANONYMIZE_MODELS.map((name) => versions[name]).join(' + '),
      // The thread blurred the frame when pose sent it.
      process: async () => undefined,
      blurred: () => blurred,
      finish: async () => {
        const finished = await finish()
        return finished.anonymize
      },
    }
    return [pose, anonymize]
  }

  #post(request: ThreadRequest, transfer: ArrayBuffer[] = []) {
    this.#calls.post(request, transfer)
  }

  #request(request: ThreadRequest & { id: number }, transfer: ArrayBuffer[] = []): Promise<any> {
    return this.#calls.request(request, transfer)
  }

  close() {
    return this.#calls.close()
  }
}
