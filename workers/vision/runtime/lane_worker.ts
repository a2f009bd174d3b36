/** The model lane's thread (see ./lane.ts): loads models by path and runs them on request. */
import { parentPort, workerData } from 'node:worker_threads'
import { FaceDetector } from '../faces/detector.js'
import type { LaneFaceModels, LaneReply, LaneRequest } from './lane.js'
import { VisionRuntime } from './runtime.js'
import type { Model } from '../types.js'

const port = parentPort!
const runtime = new VisionRuntime({
  provider: workerData.provider,
  log: (line) => port.postMessage({ type: 'log', line } satisfies LaneReply),
})

const byName = new Map<string, Model>()
const byPath = new Map<string, Model>()
const detectors = new Map<string, FaceDetector>()

/** One detector per set of options: it keeps nothing between calls but its anchors. */
function faceDetector(names: LaneFaceModels, options: object) {
  const key = JSON.stringify([names, options])
  let detector = detectors.get(key)
  if (!detector) {
    const model = (name?: string) => {
      if (name === undefined) return undefined
      const found = byName.get(name)
      if (!found) throw new Error(`the model lane has no ${name}`)
      return found
    }
    detector = new FaceDetector(
      { short: model(names.short), full: model(names.full), ssd: model(names.ssd) },
      options
    )
    detectors.set(key, detector)
  }
  return detector
}

port.on('message', async (request: LaneRequest) => {
  try {
    if (request.type === 'faces') {
      const detector = faceDetector(request.models, request.options)
      const frame = {
        ...request.frame,
        data: Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength),
      }
      const faces = await detector.detect(frame, request.plan)
      port.postMessage({ type: 'faces', id: request.id, faces } satisfies LaneReply)
    } else if (request.type === 'load') {
      const model = await runtime.load(request.name, request.path, request.threads)
      byName.set(request.name, model)
      byPath.set(request.path, model)
      const reply: LaneReply = {
        type: 'loaded',
        id: request.id,
        inputNames: [...model.inputNames],
        outputNames: [...model.outputNames],
        provider: runtime.provider,
      }
      port.postMessage(reply)
    } else {
      const model = byPath.get(request.path)
      if (!model) throw new Error(`the model lane has not loaded ${request.path}`)
      const outputs = await model.run(request.feeds)
      port.postMessage({ type: 'outputs', id: request.id, outputs } satisfies LaneReply)
    }
  } catch (error) {
    port.postMessage({
      type: 'error',
      id: request.id,
      message: (error as Error).message,
    } satisfies LaneReply)
  }
})
