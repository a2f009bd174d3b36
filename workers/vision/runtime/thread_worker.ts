/**
 * The vision worker thread (see ./thread.ts): loads the models once, keeps one pair of
 * processors per clip, and runs every frame through pose then anonymization. All the
 * JavaScript around the models (letterboxing, sampling, decoding, text post-processing) runs
 * here, so the process's event loop (HTTP, BullMQ locks) never waits for it.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Frame, FrameProcessor } from '../../pipeline/types.js'
import { createVisionProcessors, LANE_MODELS, loadVisionModels } from '../processors.js'
import { VisionRuntime } from './runtime.js'
import type { VisionSettings } from '../settings.js'
import type { ThreadReply, ThreadRequest } from './thread.js'

const port = parentPort!
const settings = workerData.settings as VisionSettings
const runtime = new VisionRuntime({
  threads: settings.threads,
  provider: settings.provider,
  laneModels: settings.lane ? LANE_MODELS : [],
  log: (line) => reply({ type: 'log', line }),
  // Without its lane this thread can only fail every clip: it stops, and the next clip gets
  // a new one (VisionService), lane and all.
  onLaneDeath: (error) => {
    reply({ type: 'log', line: `${error.message}; the vision thread stops` })
    process.exit(1)
  },
})
const sessions = new Map<number, { processors: FrameProcessor[]; usedAt: number }>()
/** A clip whose pipeline failed never sends `finish`: its processors go after this long unused. */
const ABANDONED_MS = 10 * 60 * 1000

function reply(message: ThreadReply, transfer: ArrayBuffer[] = []) {
  port.postMessage(message, transfer)
}

const loading = loadVisionModels(runtime, settings)
loading.then(
  (models) => reply({ type: 'ready', versions: models.versions, provider: runtime.provider }),
  (error) => reply({ type: 'failed', message: (error as Error).message })
)

port.on('message', async (request: ThreadRequest) => {
  try {
    const models = await loading
    if (request.type === 'open') {
      const now = Date.now()
      for (const [id, session] of sessions)
        if (now - session.usedAt > ABANDONED_MS) sessions.delete(id)
      sessions.set(request.session, {
        processors: createVisionProcessors(models, settings, { sport: request.sport }),
        usedAt: now,
      })
      return
    }
    const session = sessions.get(request.session)
    if (!session) throw new Error(`no vision session ${request.session}`)
    session.usedAt = Date.now()
    const { processors } = session
    if (request.type === 'init') {
      for (const processor of processors) await processor.init?.(request.info)
      reply({ type: 'initialised', id: request.id })
    } else if (request.type === 'prepare') {
      const frame: Frame = { ...request.frame, data: Buffer.from(request.data) }
      for (const processor of processors) processor.prepare?.(frame)
    } else if (request.type === 'frame') {
      const frame: Frame = { ...request.frame, data: Buffer.from(request.data) }
      const people = []
      const blurred = []
      for (const processor of processors) {
        people.push(...((await processor.process(frame)) ?? []))
        blurred.push(...(processor.blurred?.() ?? []))
      }
      reply({ type: 'frame', id: request.id, people, blurred, data: request.data }, [request.data])
    } else if (request.type === 'finish') {
      const stats: Record<string, Record<string, unknown>> = {}
      for (const processor of processors) stats[processor.name] = (await processor.finish?.()) ?? {}
      sessions.delete(request.session)
      reply({ type: 'finish', id: request.id, stats })
    } else if (request.type === 'close') {
      sessions.delete(request.session)
    }
  } catch (error) {
    if ('id' in request) reply({ type: 'error', id: request.id, message: (error as Error).message })
  }
})
