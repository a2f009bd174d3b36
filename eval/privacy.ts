/*
 * Privacy evaluation of the anonymizer against hand-made labels (eval/privacy/labels.json: faces,
 * shirt numbers, names on kit) and two independent detectors (OpenCV Haar cascades, tesseract;
 * eval/privacy/independent.py).
 *
 *   node --import @poppinss/ts-exec eval/privacy.ts [--json] [--only TEXT[,TEXT…]] [--keep DIR] [--threads N] [--text MODE] [--no-turned]
 *
 * Exit code 0 when every target is met, 1 when one is missed, 2 when the run itself failed.
 * See eval/privacy/README.md for what each number means. Fully labelled stills are also run
 * turned 90° and 180° for face recall at those angles (./privacy/turn.ts); --no-turned skips that.
 * ATHERA_EVAL_ANONYMIZER replaces the anonymizer module (a path or specifier), so the metrics
 * can be checked with a mock; MODEL_CACHE_DIR is passed on as the anonymizer's cache folder;
 * ATHERA_MEDIA_DIR replaces ../shared/media; ATHERA_EVAL_PYTHON the python with cv2.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import type { Frame } from '../workers/pipeline/types.js'
import { FRAME, letterbox, toFrame } from './letterbox.js'
import { DEFAULT_VISION_SETTINGS, TEXT_MODES, type TextMode } from '../workers/vision/settings.js'
import {
  TURNED_RUNS,
  printTurned,
  scoreTurned,
  turnedFrame,
  turnedLabels,
  turnedTotals,
  type TurnedItemResult,
} from './privacy/turn.js'
import { decodeFrame, sourceColour, writePng } from './privacy/decode.js'
import { evaluate, type AnonymizeResult } from './privacy/evaluate.js'
import { independent } from './privacy/independent.js'
import { itemId, type LabelFile, type LabelItem } from './privacy/labels.js'
import { matchBoxes } from './privacy/matching.js'
import { printTable } from './privacy/print.js'
import { MIN_FACE_PX } from './privacy/targets.js'
import { totals } from './privacy/totals.js'

interface AnonymizerModule {
  createAnonymizer(options: {
    cacheDir: string
    threads?: number
    settings?: { text: { mode: TextMode } }
  }): Promise<{
    anonymize(frame: Frame, clip?: { sport?: string | null }): Promise<AnonymizeResult>
    close(): Promise<void>
  }>
}

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'string' },
    labels: { type: 'string' },
    threads: { type: 'string' },
    /** The anonymizer's text mode (workers/vision/settings.ts); its default when absent. */
    text: { type: 'string', default: DEFAULT_VISION_SETTINGS.text.mode },
    turned: { type: 'boolean', default: true },
  },
  allowNegative: true,
})

const root = new URL('../', import.meta.url).pathname
const mediaDir = process.env.ATHERA_MEDIA_DIR ?? resolve(root, '../shared/media')
const labelsPath = args.labels ?? join(root, 'eval/privacy/labels.json')

async function main() {
  const labels = JSON.parse(await readFile(labelsPath, 'utf8')) as LabelFile
  const only = args.only?.split(',').filter(Boolean) ?? []
  const items = labels.items.filter(
    (item) => only.length === 0 || only.some((part) => itemId(item).includes(part))
  )
  if (!items.length) throw new Error('no labelled frames selected')
  const mode = args.text as TextMode
  if (!TEXT_MODES.includes(mode))
    throw new Error(`--text must be one of ${TEXT_MODES.join(', ')}, not "${args.text}"`)

  const specifier = process.env.ATHERA_EVAL_ANONYMIZER ?? '#workers/vision/anonymize/anonymizer'
  const resolved = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier
  const { createAnonymizer } = (await import(resolved)) as AnonymizerModule
  const cacheDir = process.env.MODEL_CACHE_DIR ?? join(root, 'models')
  const anonymizer = await createAnonymizer({
    cacheDir,
    threads: args.threads ? Number(args.threads) : undefined,
    settings: { text: { mode } },
  })

  const work = args.keep
    ? resolve(args.keep)
    : await mkdtemp(join(tmpdir(), 'athera-eval-privacy-'))
  await mkdir(work, { recursive: true })
  const done: {
    item: LabelItem
    result: AnonymizeResult
    input: string
    output: string
    ms: number
  }[] = []
  // Fully labelled stills, unblurred, for the turned runs.
  const turnable: { item: LabelItem; frame: Frame; upright: AnonymizeResult; ms: number }[] = []
  try {
    for (const [n, item] of items.entries()) {
      const source = join(mediaDir, item.file)
      const data = await decodeFrame(source, item.time, await sourceColour(source))
      // Unrelated stills share one anonymizer: a minute between them keeps any tracking state
      // from carrying boxes over from the previous frame, so each frame is judged on its own.
      const frame: Frame = {
        index: n,
        timeMs: n * 60_000,
        width: FRAME.width,
        height: FRAME.height,
        format: 'yuv420p',
        data,
      }
      const stem = `${String(n).padStart(2, '0')}-${itemId(item).replace(/[^\w.@-]/g, '_')}`
      const input = join(work, `${stem}.in.png`)
      const output = join(work, `${stem}.out.png`)
      await writePng(data, input)
      const unblurred = Buffer.from(data)
      const started = performance.now()
      const result = await anonymizer.anonymize(frame)
      const ms = performance.now() - started
      await writePng(frame.data, output)
      done.push({ item, result, input, output, ms })
      if (args.turned && item.time === undefined && !item.partial && !item.crowdTooSmall) {
        turnable.push({ item, frame: { ...frame, data: unblurred }, upright: result, ms })
      }
      if (!args.json) process.stderr.write(`\ranonymized ${n + 1}/${items.length}`)
    }
    const turned: TurnedItemResult[] = []
    for (const [n, { item, frame, upright, ms }] of turnable.entries()) {
      const lb = letterbox(item.width, item.height)
      const faces = item.faces
        .map((face) => toFrame(face, lb))
        .filter((face) => face.height >= MIN_FACE_PX)
      turned.push(
        scoreTurned(itemId(item), { angle: 'upright' }, faces, upright.faces, ms, matchBoxes)
      )
      for (const run of TURNED_RUNS) {
        const picture = turnedFrame(frame, run)
        const started = performance.now()
        const result = await anonymizer.anonymize(picture, { sport: run.sport })
        const took = performance.now() - started
        turned.push(
          scoreTurned(
            itemId(item),
            run,
            turnedLabels(faces, frame.width, frame.height, run),
            result.faces,
            took,
            matchBoxes
          )
        )
      }
      if (!args.json) process.stderr.write(`\rturned ${n + 1}/${turnable.length}`)
    }
    if (!args.json) process.stderr.write('\nrunning the independent detectors…\n')
    const found = await independent(done.flatMap((d) => [d.input, d.output]))
    const reports = done.map((d) =>
      evaluate(d.item, d.result, found.get(d.input)!, found.get(d.output)!, d.ms)
    )
    const t = totals(reports, mode)
    const turnedReport = { totals: turnedTotals(turned), pictures: turned }
    if (args.json)
      console.log(
        JSON.stringify(
          { totals: t, frames: reports, turned: turnedReport, pngs: args.keep ? work : null },
          null,
          2
        )
      )
    else {
      printTable(reports, t)
      printTurned(turned)
    }
    process.exitCode = t.failures.length ? 1 : 0
  } finally {
    await anonymizer.close()
    if (!args.keep) await rm(work, { recursive: true, force: true })
  }
}

try {
  await main()
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 2
}
