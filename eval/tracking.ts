/*
 * Does detecting on keyframes only, with trackers in between, hide as much as detecting on
 * every frame? For each shared clip:
 *
 * - the reference: every REFERENCE_STEP-th decoded frame searched in full, as a still picture
 *   is (every face tile and SSD square, every pose tile, every person's shirt read): the faces,
 *   pose-placed heads and text the detectors can find on that frame when nothing is scheduled;
 * - one video pass per `--every` value (1 = detect on every frame), as the worker runs it,
 *   recording what it blurred on each frame.
 *
 * A reference box counts as hidden on its frame when at least COVERED of it (of a face, the
 * ellipse inside its box) lies inside what the pass blurred there (ellipses for faces and
 * heads, rectangles for text, as blur.ts draws them); bare when less than BARE. The run fails
 * when a keyframe pass hides more than MAX_LOSS less than the every-frame pass.
 *
 *   node --import @poppinss/ts-exec eval/tracking.ts [--every 1,2,3] [--only NAME] [--json]
 *
 * Models come from MODEL_CACHE_DIR (default ./models); clips from ATHERA_MEDIA_DIR (default
 * ../shared/media). Exit code 0 when no keyframe pass loses more than MAX_LOSS, 1 when one
 * does, 2 when the run failed. TRACKING_DEBUG=1 lists every box less than COVERED hidden.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_PIPELINE_OPTIONS, type BlurredRegion } from '../workers/pipeline/types.js'
import { FrameReader } from '../workers/video/frames.js'
import { probe } from '../workers/video/probe.js'
import {
  AnonymizeProcessor,
  createVisionProcessors,
  loadVisionModels,
  type VisionModels,
} from '../workers/vision/processors.js'
import { VisionRuntime } from '../workers/vision/runtime/runtime.js'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '../workers/vision/settings.js'
import type { Box } from '../workers/vision/types.js'
import { letterbox, toFrame } from './letterbox.js'

/** Share of a reference box's area that must be blurred for it to count as hidden. */
const COVERED = 0.9
/** Under this share blurred, a box is bare: most of the face or number shows. */
const BARE = 0.5
/**
 * A keyframe pass may hide at most this much less of the reference than the pass that detects
 * on every frame: the "keyframes plus tracking, whichever keeps recall".
 */
const MAX_LOSS = 0.01
/** Points per side of the grid a box's covered share is measured on. */
const GRID = 12
/**
 * Every this-many decoded frames is searched in full for the reference: 5 is prime to 2 and 3,
 * so both keyframes and in-between frames of either schedule are sampled.
 */
const REFERENCE_STEP = 5

const { values: args } = parseArgs({
  options: {
    every: { type: 'string', default: '1,2,3' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
})
const everyValues = args.every.split(',').map(Number)

type Kind = 'face' | 'text'
/** What the detectors found on one frame searched in full. */
type Found = { kind: Kind; box: Box }[]

/**
 * The reference: every REFERENCE_STEP-th frame searched in full, as a still picture is (all face
 * tiles and SSD squares, all pose tiles, every person's shirt read): what the detectors can find
 * on that frame when nothing is scheduled. Other frames get no reference boxes.
 */
async function reference(
  models: VisionModels,
  settings: VisionSettings,
  clip: string
): Promise<Map<number, Found>> {
  const found = new Map<number, Found>()
  for await (const frame of frames(clip)) {
    if (frame.index % REFERENCE_STEP) continue
    const processors = createVisionProcessors(
      models,
      { ...settings, detectEvery: 1 },
      { still: true }
    )
    const anonymizer = processors.find(
      (processor) => processor instanceof AnonymizeProcessor
    ) as AnonymizeProcessor
    for (const processor of processors) await processor.process({ ...frame, index: 0, timeMs: 0 })
    found.set(frame.index, [
      // Face boxes carry the tracker's margin, heads the same margin: shrunk back to what was found.
      ...anonymizer.last.faces.map((face) => ({
        kind: 'face' as const,
        box: shrink(face, settings.margin),
      })),
      ...anonymizer.last.read.map((text) => ({ kind: 'text' as const, box: text })),
    ])
  }
  return found
}

/** What a video pass with detection every `every` frames blurs on each decoded frame. */
async function blurredByPass(
  models: VisionModels,
  settings: VisionSettings,
  clip: string,
  every: number
) {
  const { width, height, fps } = DEFAULT_PIPELINE_OPTIONS
  const processors = createVisionProcessors(models, { ...settings, detectEvery: every })
  for (const processor of processors) await processor.init?.({ width, height, fps })
  const anonymizer = processors.find(
    (processor) => processor instanceof AnonymizeProcessor
  ) as AnonymizeProcessor
  const blurred: BlurredRegion[][] = []
  const times: number[] = []
  for await (const frame of frames(clip)) {
    for (const processor of processors) await processor.process(frame)
    blurred.push(anonymizer.blurred())
    times.push(frame.timeMs)
  }
  return { blurred, times }
}

async function* frames(clip: string) {
  const { width, height, fps } = DEFAULT_PIPELINE_OPTIONS
  const source = await probe(clip)
  yield* new FrameReader(clip, { width, height, fps }, { sourceFps: source.video[0].fps })
}

function shrink(box: Box, margin: number): Box {
  const width = box.width / (1 + 2 * margin)
  const height = box.height / (1 + 2 * margin)
  return { x: box.x + margin * width, y: box.y + margin * height, width, height }
}

function inside(region: BlurredRegion, x: number, y: number) {
  if (x < region.x || y < region.y || x > region.x + region.width || y > region.y + region.height)
    return false
  if (region.kind === 'text') return true
  const dx = (x - (region.x + region.width / 2)) / (region.width / 2)
  const dy = (y - (region.y + region.height / 2)) / (region.height / 2)
  return dx * dx + dy * dy <= 1
}

/**
 * Share of `box` inside any of `regions`, on a GRID × GRID grid of cell centres. For a face,
 * only the ellipse inscribed in its box counts: a face box's corners are hair and background,
 * and the blur's own ellipses leave them out too.
 */
function coveredShare(box: Box, regions: BlurredRegion[], kind: Kind) {
  let points = 0
  let hits = 0
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const u = (i + 0.5) / GRID
      const v = (j + 0.5) / GRID
      if (kind === 'face' && (u - 0.5) ** 2 + (v - 0.5) ** 2 > 0.25) continue
      points++
      if (regions.some((region) => inside(region, box.x + u * box.width, box.y + v * box.height)))
        hits++
    }
  }
  return hits / points
}

/** Reference boxes of one kind on a clip, how many a pass hid, and the frames where one was bare. */
function score(referenceBoxes: Map<number, Found>, blurred: BlurredRegion[][], kind: Kind) {
  const result = { boxes: 0, hidden: 0, exposedFrames: [] as number[] }
  for (const [index, found] of referenceBoxes) {
    let exposed = false
    for (const { box } of found.filter((entry) => entry.kind === kind)) {
      result.boxes++
      const share = coveredShare(box, blurred[index] ?? [], kind)
      if (share >= COVERED) result.hidden++
      if (share < BARE) exposed = true
      if (share < COVERED && process.env.TRACKING_DEBUG)
        console.error(
          index,
          kind,
          JSON.stringify(box),
          share.toFixed(2),
          JSON.stringify(
            (blurred[index] ?? []).map((b) => [
              b.kind,
              Math.round(b.x),
              Math.round(b.y),
              Math.round(b.width),
              Math.round(b.height),
            ])
          )
        )
    }
    if (exposed) result.exposedFrames.push(index)
  }
  return result
}

/** Faces labelled by hand on clip frames (eval/privacy/labels.json items with a `time`), at least this high in the frame. */
const MIN_FACE_PX = 20
interface LabelledFrame {
  file: string
  time: number
  faces: Box[]
}
const labelled: LabelledFrame[] = (
  JSON.parse(readFileSync(new URL('privacy/labels.json', import.meta.url), 'utf8'))
    .items as (LabelledFrame & { width: number; height: number })[]
)
  .filter((item) => item.time !== undefined)
  .map((item) => {
    const lb = letterbox(item.width, item.height)
    return {
      file: item.file,
      time: item.time,
      faces: item.faces
        .map((face) => toFrame(face, lb))
        .filter((face) => face.height >= MIN_FACE_PX),
    }
  })

/**
 * Labelled faces of `clip` hidden by a pass, on the frame the label was drawn on: the first
 * decoded frame at or after its time, as `ffmpeg -ss` picks it for eval/privacy.ts.
 */
function scoreLabels(clip: string, pass: { blurred: BlurredRegion[][]; times: number[] }) {
  const result = { faces: 0, hidden: 0, bare: 0 }
  for (const item of labelled.filter((entry) => entry.file === clip)) {
    const index = pass.times.findIndex((ms) => ms >= item.time * 1000 - 0.5)
    if (index < 0) continue
    for (const face of item.faces) {
      result.faces++
      const share = coveredShare(face, pass.blurred[index], 'face')
      if (share >= COVERED) result.hidden++
      if (share < BARE) result.bare++
      if (share < COVERED && process.env.TRACKING_DEBUG)
        console.error(
          clip,
          `label at ${item.time} s (frame ${index})`,
          JSON.stringify(face),
          share.toFixed(2)
        )
    }
  }
  return result
}

const media = resolve(
  process.env.ATHERA_MEDIA_DIR ?? new URL('../../shared/media/', import.meta.url).pathname
)
const settings: VisionSettings = {
  ...DEFAULT_VISION_SETTINGS,
  cacheDir: resolve(process.env.MODEL_CACHE_DIR || 'models'),
}
const runtime = new VisionRuntime({ threads: settings.threads, provider: settings.provider })
const rows: Record<string, string | number>[] = []
/** Per `every`, over all clips: [boxes, hidden] of reference faces and text, and the labelled faces. */
const totals = new Map<
  number,
  { face: number[]; text: number[]; labels: { faces: number; hidden: number; bare: number } }
>()
try {
  if (everyValues.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--every takes whole numbers ≥ 1, e.g. 1,2,3')
  const models = await loadVisionModels(runtime, settings)
  const clips = readdirSync(media)
    .filter((name) => name.endsWith('.mp4') && (!args.only || name.includes(args.only)))
    .sort()
  if (!clips.length) throw new Error(`no clips in ${media}`)
  for (const name of clips) {
    const clip = join(media, name)
    const found = await reference(models, settings, clip)
    for (const every of everyValues) {
      const passed = await blurredByPass(models, settings, clip, every)
      const face = score(found, passed.blurred, 'face')
      const text = score(found, passed.blurred, 'text')
      const labels = scoreLabels(name, passed)
      const total = totals.get(every) ?? {
        face: [0, 0],
        text: [0, 0],
        labels: { faces: 0, hidden: 0, bare: 0 },
      }
      total.face = [total.face[0] + face.boxes, total.face[1] + face.hidden]
      total.text = [total.text[0] + text.boxes, total.text[1] + text.hidden]
      total.labels = {
        faces: total.labels.faces + labels.faces,
        hidden: total.labels.hidden + labels.hidden,
        bare: total.labels.bare + labels.bare,
      }
      totals.set(every, total)
      rows.push({
        'clip': basename(clip),
        every,
        'reference frames': found.size,
        'faces hidden': `${face.hidden}/${face.boxes}`,
        'text hidden': `${text.hidden}/${text.boxes}`,
        'labelled faces hidden': `${labels.hidden}/${labels.faces}`,
        [`labelled faces < ${BARE * 100}% hidden`]: labels.bare,
        [`frames with a face < ${BARE * 100}% hidden`]: face.exposedFrames.join(' ') || '-',
        [`frames with text < ${BARE * 100}% hidden`]: text.exposedFrames.join(' ') || '-',
      })
      if (!args.json) process.stderr.write(`${name} every ${every} done\n`)
    }
  }
  const summary = [...totals].map(([every, { face, text, labels }]) => ({
    every,
    labelledShare: labels.faces ? labels.hidden / labels.faces : 1,
    labelled: labels.faces,
    labelledBare: labels.bare,
    faceShare: face[0] ? face[1] / face[0] : 1,
    textShare: text[0] ? text[1] / text[0] : 1,
    faces: face[0],
    text: text[0],
  }))
  const everyFrame = summary.find((s) => s.every === 1)
  const failed = everyFrame
    ? summary.filter(
        (s) =>
          s.faceShare < everyFrame.faceShare - MAX_LOSS ||
          s.textShare < everyFrame.textShare - MAX_LOSS ||
          s.labelledShare < everyFrame.labelledShare - MAX_LOSS
      )
    : []
  if (args.json) console.log(JSON.stringify({ rows, summary }, null, 2))
  else {
    console.table(rows)
    for (const s of summary) {
      console.log(
        `every ${s.every}: reference faces hidden ${(s.faceShare * 100).toFixed(1)}% of ${s.faces}, text ${(s.textShare * 100).toFixed(1)}% of ${s.text}; labelled faces ${(s.labelledShare * 100).toFixed(1)}% of ${s.labelled}, ${s.labelledBare} of them less than half hidden (a box hidden when ≥ ${COVERED * 100}% of it is blurred)`
      )
    }
    if (everyFrame) {
      console.log(
        failed.length
          ? `FAIL: every ${failed.map((s) => s.every).join(', ')} hides more than ${MAX_LOSS * 100} point(s) less than detecting on every frame`
          : `PASS: no schedule hides more than ${MAX_LOSS * 100} point(s) less than detecting on every frame`
      )
    }
  }
  process.exitCode = failed.length ? 1 : 0
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 2
} finally {
  await runtime.close()
}
