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
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import type { Frame } from '../workers/pipeline/types.js'
import type { Box, Detection } from '../workers/vision/types.js'
import { colourOptions, type SourceColour } from '../workers/video/frames.js'
import { probe } from '../workers/video/probe.js'
import { yuv420pBytes } from '../workers/video/yuv.js'
import { iou } from '#workers/vision/geometry'
import { FRAME, letterbox, toFrame } from './letterbox.js'
import { DEFAULT_VISION_SETTINGS, TEXT_MODES, type TextMode } from '../workers/vision/settings.js'
import { TURNED_RUNS, printTurned, scoreTurned, turnedFrame, turnedLabels, turnedTotals, type TurnedItemResult } from './privacy/turn.js'

/** Number and name recall count the legible ones (labelled with their text); illegible ones are listed. */
const TARGETS = { faceRecall: 0.95, numberRecall: 0.9, nameRecall: 0.9 }
const MATCH_IOU = 0.3
const MIN_FACE_PX = 20
/**
 * Share of a name's box the blurred text boxes must cover for it to count as hidden. Stricter
 * than a number's centre: a name half blurred ("SCHIER…") still names the player, and name boxes
 * are drawn tight around the letters.
 */
const NAME_COVERED = 0.8

// ---------------------------------------------------------------------------------------------
// Inputs

interface LabelBox extends Box {
  note?: string
}

interface LabelItem {
  /** File name in the media folder. */
  file: string
  /** Seconds into a clip; absent for a still image. */
  time?: number
  /** The original image's (or decoded clip frame's) size; label boxes are in these pixels. */
  width: number
  height: number
  faces: LabelBox[]
  numbers: (LabelBox & { text: string | null })[]
  /** Names on kit (back names, name tags); `text` null when illegible in the frame. Absent: none labelled. */
  names?: (LabelBox & { text: string | null })[]
  /** Faces here are all below 20 px: nothing to find, and unlabelled faces would be false positives. */
  crowdTooSmall?: boolean
  /** Not every face is labelled (dense crowds): recall still counts, precision is not computed. */
  partial?: boolean
  /** Checked by eye: Haar fires here on the original frame but there is no face (hands, shirts). */
  notFaces?: Box[]
  notes?: string
}

interface LabelFile {
  items: LabelItem[]
}

interface AnonymizeResult {
  faces: Detection[]
  text: (Detection & { text: string })[]
}

interface AnonymizerModule {
  createAnonymizer(options: { cacheDir: string; threads?: number; settings?: { text: { mode: TextMode } } }): Promise<{
    anonymize(frame: Frame, clip?: { sport?: string | null }): Promise<AnonymizeResult>
    close(): Promise<void>
  }>
}

interface IndependentImage {
  path: string
  faces: Box[]
  numbers: (Box & { text: string; digits: string; conf: number })[]
  /** Words of 3+ letters and no digit, in capitals (`letters`). */
  words?: (Box & { text: string; letters: string; conf: number })[]
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
const python = process.env.ATHERA_EVAL_PYTHON ?? '/usr/bin/python3'

function covers(box: Box, x: number, y: number) {
  return x >= box.x && x <= box.x + box.width && y >= box.y && y <= box.y + box.height
}

/** One-to-one matching, best overlaps first: a detection can explain only one label. */
export function matchBoxes(labels: Box[], detections: Box[], minIou = MATCH_IOU) {
  const pairs: [number, number, number][] = []
  labels.forEach((l, i) => detections.forEach((d, j) => pairs.push([iou(l, d), i, j])))
  pairs.sort((a, b) => b[0] - a[0])
  const labelTo = new Array<number>(labels.length).fill(-1)
  const detectionTo = new Array<number>(detections.length).fill(-1)
  for (const [overlap, i, j] of pairs) {
    if (overlap < minIou) break
    if (labelTo[i] !== -1 || detectionTo[j] !== -1) continue
    labelTo[i] = j
    detectionTo[j] = i
  }
  return { labelTo, detectionTo }
}

// ---------------------------------------------------------------------------------------------
// ffmpeg and python children

function run(command: string, argv: string[], input?: Buffer) {
  return new Promise<Buffer>((done, fail) => {
    const child = spawn(command, argv, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-4000)))
    child.once('error', fail)
    child.once('close', (code) =>
      code === 0 ? done(Buffer.concat(out)) : fail(new Error(`${command} exited ${code}: ${err.trim()}`))
    )
    if (input) child.stdin!.end(input)
  })
}

/** The frame the pipeline would hand the anonymizer: same scaler, padding and colour handling. */
async function decodeFrame(source: string, time: number | undefined, colour: SourceColour | undefined) {
  const { width, height } = FRAME
  const filter = `scale=${width}:${height}:force_original_aspect_ratio=decrease${colourOptions(colour)},pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`
  const seek = time === undefined ? [] : ['-ss', String(time)]
  const data = await run('ffmpeg', [
    '-v', 'error', '-nostdin', ...seek, '-i', source, '-frames:v', '1', '-vf', filter,
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
  ])
  if (data.length !== yuv420pBytes(width, height)) throw new Error(`${source}: decoded ${data.length} bytes, not one frame`)
  return data
}

/** PNG of an I420 frame, read as BT.709 limited range as the encoder would tag it. */
function writePng(data: Buffer, path: string) {
  return run('ffmpeg', [
    '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${FRAME.width}x${FRAME.height}`, '-i', 'pipe:0',
    '-vf', 'scale=in_color_matrix=bt709:in_range=tv,format=rgb24', '-frames:v', '1', path,
  ], data)
}

async function sourceColour(path: string): Promise<SourceColour | undefined> {
  try {
    const stream = (await probe(path)).video[0]
    return stream ? { colorSpace: stream.colorSpace, width: stream.width, height: stream.height } : undefined
  } catch {
    return undefined
  }
}

async function independent(paths: string[]) {
  const script = join(root, 'eval/privacy/independent.py')
  const out = await run(python, [script, ...paths])
  const images = (JSON.parse(out.toString('utf8')) as { images: IndependentImage[] }).images
  return new Map(images.map((image) => [image.path, image]))
}

// ---------------------------------------------------------------------------------------------
// Evaluation

interface ItemReport {
  id: string
  faces: { labelled: number; eligible: number; found: number; detections: number; falsePositives: number; missed: Box[] }
  numbers: { labelled: number; found: number; legible: number; legibleFound: number; missed: { text: string | null; box: Box }[] }
  names: { labelled: number; found: number; legible: number; legibleFound: number; missed: { text: string | null; box: Box; covered: number }[] }
  independent: {
    inputFaces: number
    /** Labelled faces (≥ 20 px) that Haar finds in the input: what the face survivor check covers. */
    labelledFacesSeen: number
    /** Labelled numbers that tesseract reads in the input: what the number survivor check covers. */
    labelledNumbersSeen: number
    outputFaces: number
    /** Haar faces found again in the output where a labelled face is (the acceptance count). */
    faceSurvivors: Box[]
    /** Haar boxes found again in both frames away from every labelled face (Haar false alarms). */
    faceFalseAlarms: Box[]
    inputNumbers: string[]
    outputNumbers: string[]
    /** Digit strings read again in the output on a labelled number (the acceptance count). */
    numberSurvivors: { digits: string; box: Box }[]
    /** Digit strings read again away from labelled numbers (signs, plates, OCR noise). */
    otherDigits: { digits: string; box: Box }[]
    /** Labelled names tesseract reads (a word of 3+ letters on them) in the input: what the name survivor check covers. */
    labelledNamesSeen: number
    /** Words read again in the output, same letters, at the same place, on a labelled name (the acceptance count). */
    nameSurvivors: { letters: string; box: Box }[]
  }
  crowdTooSmall: boolean
  /** Left out of precision (crowdTooSmall or partial): unlabelled faces would count as false positives. */
  unlabelledFaces: boolean
  ms: number
}

function itemId(item: LabelItem) {
  return item.time === undefined ? item.file : `${item.file}@${item.time}s`
}

function evaluate(item: LabelItem, result: AnonymizeResult, before: IndependentImage, after: IndependentImage, ms: number): ItemReport {
  const lb = letterbox(item.width, item.height)
  const faces = item.faces.map((face) => toFrame(face, lb))
  const eligible = faces.map((face) => face.height >= MIN_FACE_PX)
  const { labelTo, detectionTo } = matchBoxes(faces, result.faces)
  const missed = faces.filter((_, i) => eligible[i] && labelTo[i] === -1)

  // A number counts as hidden when a blurred text box covers its centre or overlaps it enough:
  // text boxes are often whole words or lines, much bigger than the digits alone.
  const numbers = item.numbers.map((n) => ({ text: n.text, box: toFrame(n, lb) }))
  const numbersMissed = numbers.filter(({ box }) => {
    const cx = box.x + box.width / 2
    const cy = box.y + box.height / 2
    return !result.text.some((t) => covers(t, cx, cy) || iou(t, box) >= MATCH_IOU)
  })
  const names = (item.names ?? []).map((n) => ({ text: n.text, box: toFrame(n, lb), covered: coveredShare(toFrame(n, lb), result.text) }))
  const namesMissed = names.filter((n) => n.covered < NAME_COVERED)

  // A survivor is something the independent detectors still find where they found it before:
  // a new false alarm in the blur is not a leak, the same face or number read again is.
  // Haar and tesseract also fire on shirts, hands and stray marks that nobody would blur; in a
  // fully labelled frame a survivor touching no labelled face/number is such a false alarm
  // and is listed apart. In a partial frame only the regions checked by eye (`notFaces`) are
  // explained away: elsewhere an unlabelled crowd face may be what Haar found. In a
  // crowdTooSmall frame every face is below 20 px, so any Haar face there is a false alarm.
  // Numbers are labelled in full everywhere.
  const faceSurvivorsAll = after.faces.filter((face) => before.faces.some((f) => iou(f, face) >= MATCH_IOU))
  const numberSurvivorsAll = after.numbers
    .filter((n) => n.digits && before.numbers.some((b) => b.digits === n.digits && near(b, n)))
    .map((n) => ({ digits: n.digits, box: { x: n.x, y: n.y, width: n.width, height: n.height } }))
  // How much the survivor check can see at all: a labelled face Haar never found in the
  // input cannot survive, whatever the blur did to it.
  const haarSees = (f: Box) => before.faces.some((h) => iou(f, h) >= MATCH_IOU || covers(h, f.x + f.width / 2, f.y + f.height / 2))
  const ocrSees = (n: Box) => before.numbers.some((b) => touches(n, b))
  const notFaces = (item.notFaces ?? []).map((box) => toFrame(box, lb))
  const onFace = (b: Box) =>
    faces.some((f) => touches(f, b)) ||
    (item.partial === true && item.crowdTooSmall !== true && !notFaces.some((n) => touches(n, b)))
  const onNumber = (b: Box) => numbers.some((n) => touches(n.box, b))
  const words = { before: before.words ?? [], after: after.words ?? [] }
  const nameSurvivors = words.after
    .filter((w) => names.some((n) => touches(n.box, w)) && words.before.some((b) => b.letters === w.letters && near(b, w)))
    .map((w) => ({ letters: w.letters, box: { x: w.x, y: w.y, width: w.width, height: w.height } }))

  return {
    id: itemId(item),
    faces: {
      labelled: faces.length,
      eligible: eligible.filter(Boolean).length,
      found: faces.filter((_, i) => eligible[i] && labelTo[i] !== -1).length,
      detections: result.faces.length,
      falsePositives: detectionTo.filter((i) => i === -1).length,
      missed,
    },
    numbers: {
      labelled: numbers.length,
      found: numbers.length - numbersMissed.length,
      legible: numbers.filter((n) => n.text !== null).length,
      legibleFound: numbers.filter((n) => n.text !== null && !numbersMissed.includes(n)).length,
      missed: numbersMissed,
    },
    names: {
      labelled: names.length,
      found: names.length - namesMissed.length,
      legible: names.filter((n) => n.text !== null).length,
      legibleFound: names.filter((n) => n.text !== null && !namesMissed.includes(n)).length,
      missed: namesMissed,
    },
    independent: {
      inputFaces: before.faces.length,
      labelledFacesSeen: faces.filter((f, i) => eligible[i] && haarSees(f)).length,
      labelledNumbersSeen: numbers.filter((n) => ocrSees(n.box)).length,
      outputFaces: after.faces.length,
      faceSurvivors: faceSurvivorsAll.filter(onFace),
      faceFalseAlarms: faceSurvivorsAll.filter((b) => !onFace(b)),
      inputNumbers: before.numbers.map((n) => n.digits),
      outputNumbers: after.numbers.map((n) => n.digits),
      numberSurvivors: numberSurvivorsAll.filter((n) => onNumber(n.box)),
      otherDigits: numberSurvivorsAll.filter((n) => !onNumber(n.box)),
      labelledNamesSeen: names.filter((n) => words.before.some((w) => touches(n.box, w))).length,
      nameSurvivors,
    },
    crowdTooSmall: item.crowdTooSmall === true,
    unlabelledFaces: item.crowdTooSmall === true || item.partial === true,
    ms,
  }
}

/** Share of `box` inside the union of `covering` boxes, on a grid of at most 64 × 64 points. */
export function coveredShare(box: Box, covering: Box[]) {
  const nx = Math.max(1, Math.min(64, Math.round(box.width)))
  const ny = Math.max(1, Math.min(64, Math.round(box.height)))
  let inside = 0
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const x = box.x + ((i + 0.5) * box.width) / nx
      const y = box.y + ((j + 0.5) * box.height) / ny
      if (covering.some((c) => covers(c, x, y))) inside++
    }
  }
  return inside / (nx * ny)
}

/** Overlapping noticeably (IoU ≥ 0.1), or one box's centre inside the other: Haar and OCR boxes differ in shape from the labels. */
function touches(label: Box, b: Box) {
  return iou(label, b) >= 0.1 || covers(b, label.x + label.width / 2, label.y + label.height / 2) || covers(label, b.x + b.width / 2, b.y + b.height / 2)
}

/** Same place, allowing for tesseract's box jitter: the boxes touch once grown by half a height. */
function near(a: Box, b: Box) {
  const grow = Math.max(a.height, b.height) / 2
  return iou({ x: a.x - grow, y: a.y - grow, width: a.width + 2 * grow, height: a.height + 2 * grow }, b) > 0
}

function ratio(num: number, den: number) {
  return den === 0 ? 1 : num / den
}

function totals(reports: ItemReport[], textMode: TextMode) {
  const sum = (f: (r: ItemReport) => number, rs = reports) => rs.reduce((acc, r) => acc + f(r), 0)
  const precise = reports.filter((r) => !r.unlabelledFaces)
  const eligible = sum((r) => r.faces.eligible)
  const numbers = sum((r) => r.numbers.labelled)
  const legibleNumbers = sum((r) => r.numbers.legible)
  const legibleNames = sum((r) => r.names.legible)
  const detections = sum((r) => r.faces.detections, precise)
  const t = {
    textMode,
    items: reports.length,
    facesLabelled: sum((r) => r.faces.labelled),
    facesEligible: eligible,
    faceRecall: ratio(sum((r) => r.faces.found), eligible),
    /** null when the anonymizer returned no face at all on the fully labelled frames. */
    facePrecision: detections === 0 ? null : (detections - sum((r) => r.faces.falsePositives, precise)) / detections,
    numbersLabelled: numbers,
    /**
     * Over the numbers labelled with their digits (the target): an illegible one (motion-blurred,
     * a faint outline; labelled with text null) cannot give a player away, so it is listed when
     * missed but not counted.
     */
    legibleNumbers,
    numberRecall: ratio(sum((r) => r.numbers.legibleFound), legibleNumbers),
    /** Over every labelled number, illegible ones included (reported only). */
    numberRecallAll: ratio(sum((r) => r.numbers.found), numbers),
    namesLabelled: sum((r) => r.names.labelled),
    /** Over the names readable in the frame (the target); illegible ones listed, not counted. */
    legibleNames,
    nameRecall: ratio(sum((r) => r.names.legibleFound), legibleNames),
    illegibleNamesFound: sum((r) => r.names.found - r.names.legibleFound),
    independentInputFaces: sum((r) => r.independent.inputFaces),
    independentInputNumbers: sum((r) => r.independent.inputNumbers.length),
    haarSeesLabelledFaces: sum((r) => r.independent.labelledFacesSeen),
    tesseractReadsLabelledNumbers: sum((r) => r.independent.labelledNumbersSeen),
    faceSurvivors: sum((r) => r.independent.faceSurvivors.length),
    numberSurvivors: sum((r) => r.independent.numberSurvivors.length),
    tesseractReadsLabelledNames: sum((r) => r.independent.labelledNamesSeen),
    nameSurvivors: sum((r) => r.independent.nameSurvivors.length),
    haarFalseAlarmsKept: sum((r) => r.independent.faceFalseAlarms.length),
    otherDigitsKept: sum((r) => r.independent.otherDigits.length),
    msPerFrame: ratio(sum((r) => r.ms), reports.length),
  }
  const failures: string[] = []
  if (t.faceRecall < TARGETS.faceRecall) failures.push(`face recall ${pct(t.faceRecall)} < ${pct(TARGETS.faceRecall)}`)
  if (t.numberRecall < TARGETS.numberRecall) failures.push(`legible number recall ${pct(t.numberRecall)} < ${pct(TARGETS.numberRecall)}`)
  if (t.nameRecall < TARGETS.nameRecall) failures.push(`legible name recall ${pct(t.nameRecall)} < ${pct(TARGETS.nameRecall)}`)
  if (t.faceSurvivors) failures.push(`${t.faceSurvivors} face(s) still found by Haar after blurring`)
  if (t.numberSurvivors) failures.push(`${t.numberSurvivors} number(s) still read by tesseract after blurring`)
  if (t.nameSurvivors) failures.push(`${t.nameSurvivors} name(s) still read by tesseract after blurring`)
  return { ...t, failures }
}

function pct(x: number) {
  return `${(100 * x).toFixed(1)}%`
}

function boxText(b: Box) {
  return `[${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}x${Math.round(b.height)}]`
}

function printTable(reports: ItemReport[], t: ReturnType<typeof totals>) {
  const rows = reports.map((r) => [
    r.id + (r.crowdTooSmall ? ' (crowd)' : r.unlabelledFaces ? ' (partial)' : ''),
    `${r.faces.found}/${r.faces.eligible}`,
    `${r.faces.detections - r.faces.falsePositives}/${r.faces.detections}`,
    `${r.numbers.found}/${r.numbers.labelled}`,
    `${r.names.found}/${r.names.labelled}`,
    `${r.independent.outputFaces}/${r.independent.inputFaces}`,
    `${r.independent.faceSurvivors.length}`,
    `${r.independent.outputNumbers.length}/${r.independent.inputNumbers.length}`,
    `${r.independent.numberSurvivors.length}`,
    `${Math.round(r.ms)}`,
  ])
  const head = ['frame', 'faces found', 'dets ok', 'numbers', 'names', 'haar out/in', 'face surv', 'ocr out/in', 'num surv', 'ms']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
  console.log()
  for (const r of reports) {
    const lines = [
      ...r.faces.missed.map((b) => `missed face ${boxText(b)}`),
      ...r.numbers.missed.map((n) => `${n.text === null ? '(illegible, not counted) ' : ''}missed number ${n.text ?? '?'} ${boxText(n.box)}`),
      ...r.names.missed.map(
        (n) => `${n.text === null ? '(illegible, not counted) ' : ''}missed name ${n.text ?? '?'} ${boxText(n.box)}, ${pct(n.covered)} covered`
      ),
      ...r.independent.nameSurvivors.map((n) => `SURVIVOR tesseract "${n.letters}" ${boxText(n.box)}`),
      ...r.independent.faceSurvivors.map((b) => `SURVIVOR Haar face ${boxText(b)}`),
      ...r.independent.numberSurvivors.map((n) => `SURVIVOR tesseract "${n.digits}" ${boxText(n.box)}`),
      ...r.independent.faceFalseAlarms.map((b) => `(Haar false alarm kept, no labelled face there) ${boxText(b)}`),
      ...r.independent.otherDigits.map((n) => `(digits kept away from labelled numbers) "${n.digits}" ${boxText(n.box)}`),
    ]
    if (lines.length) console.log(`${r.id}:\n  ${lines.join('\n  ')}`)
  }
  console.log()
  console.log(`text mode ${t.textMode}`)
  console.log(
    `frames ${t.items}; faces labelled ${t.facesLabelled}, ≥ ${MIN_FACE_PX} px ${t.facesEligible}; numbers ${t.numbersLabelled} (${t.legibleNumbers} legible); names ${t.namesLabelled} (${t.legibleNames} legible)`
  )
  console.log(`face recall      ${pct(t.faceRecall)}  (target ≥ ${pct(TARGETS.faceRecall)}, IoU ≥ ${MATCH_IOU}, faces ≥ ${MIN_FACE_PX} px)`)
  console.log(`face precision   ${t.facePrecision === null ? 'n/a' : pct(t.facePrecision)}  (crowdTooSmall and partial frames left out)`)
  console.log(`number recall    ${pct(t.numberRecall)}  of the ${t.legibleNumbers} legible (target ≥ ${pct(TARGETS.numberRecall)}); ${pct(t.numberRecallAll)} of all ${t.numbersLabelled}`)
  console.log(
    `name recall      ${pct(t.nameRecall)}  of the ${t.legibleNames} legible (target ≥ ${pct(TARGETS.nameRecall)}, ≥ ${pct(NAME_COVERED)} of the name covered); illegible ones covered ${t.illegibleNamesFound}/${t.namesLabelled - t.legibleNames}`
  )
  console.log(`Haar faces in input ${t.independentInputFaces} (on ${t.haarSeesLabelledFaces}/${t.facesEligible} labelled faces), survivors ${t.faceSurvivors} (target 0)`)
  console.log(`tesseract digit strings in input ${t.independentInputNumbers} (on ${t.tesseractReadsLabelledNumbers}/${t.numbersLabelled} labelled numbers), survivors ${t.numberSurvivors} (target 0)`)
  console.log(`tesseract words in the labelled names' places: on ${t.tesseractReadsLabelledNames}/${t.namesLabelled} labelled names, survivors ${t.nameSurvivors} (target 0)`)
  console.log(`kept but not counted: ${t.haarFalseAlarmsKept} Haar false alarm(s), ${t.otherDigitsKept} digit string(s) off the labelled numbers`)
  console.log(`anonymize ${Math.round(t.msPerFrame)} ms/frame`)
  console.log(t.failures.length ? `FAIL: ${t.failures.join('; ')}` : 'PASS')
}

async function main() {
  const labels = JSON.parse(await readFile(labelsPath, 'utf8')) as LabelFile
  const only = args.only?.split(',').filter(Boolean) ?? []
  const items = labels.items.filter((item) => only.length === 0 || only.some((part) => itemId(item).includes(part)))
  if (!items.length) throw new Error('no labelled frames selected')
  const mode = args.text as TextMode
  if (!TEXT_MODES.includes(mode)) throw new Error(`--text must be one of ${TEXT_MODES.join(', ')}, not "${args.text}"`)

  const specifier = process.env.ATHERA_EVAL_ANONYMIZER ?? '#workers/vision/anonymize/anonymizer'
  const resolved = isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier
  const { createAnonymizer } = (await import(resolved)) as AnonymizerModule
  const cacheDir = process.env.MODEL_CACHE_DIR ?? join(root, 'models')
  const anonymizer = await createAnonymizer({ cacheDir, threads: args.threads ? Number(args.threads) : undefined, settings: { text: { mode } } })

  const work = args.keep ? resolve(args.keep) : await mkdtemp(join(tmpdir(), 'athera-eval-privacy-'))
  await mkdir(work, { recursive: true })
  const done: { item: LabelItem; result: AnonymizeResult; input: string; output: string; ms: number }[] = []
  // Fully labelled stills, unblurred, for the turned runs.
  const turnable: { item: LabelItem; frame: Frame; upright: AnonymizeResult; ms: number }[] = []
  try {
    for (const [n, item] of items.entries()) {
      const source = join(mediaDir, item.file)
      const data = await decodeFrame(source, item.time, await sourceColour(source))
      // Unrelated stills share one anonymizer: a minute between them keeps any tracking state
      // from carrying boxes over from the previous frame, so each frame is judged on its own.
      const frame: Frame = { index: n, timeMs: n * 60_000, width: FRAME.width, height: FRAME.height, format: 'yuv420p', data }
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
      const faces = item.faces.map((face) => toFrame(face, lb)).filter((face) => face.height >= MIN_FACE_PX)
      turned.push(scoreTurned(itemId(item), { angle: 'upright' }, faces, upright.faces, ms, matchBoxes))
      for (const run of TURNED_RUNS) {
        const picture = turnedFrame(frame, run)
        const started = performance.now()
        const result = await anonymizer.anonymize(picture, { sport: run.sport })
        const took = performance.now() - started
        turned.push(scoreTurned(itemId(item), run, turnedLabels(faces, frame.width, frame.height, run), result.faces, took, matchBoxes))
      }
      if (!args.json) process.stderr.write(`\rturned ${n + 1}/${turnable.length}`)
    }
    if (!args.json) process.stderr.write('\nrunning the independent detectors…\n')
    const found = await independent(done.flatMap((d) => [d.input, d.output]))
    const reports = done.map((d) => evaluate(d.item, d.result, found.get(d.input)!, found.get(d.output)!, d.ms))
    const t = totals(reports, mode)
    const turnedReport = { totals: turnedTotals(turned), pictures: turned }
    if (args.json) console.log(JSON.stringify({ totals: t, frames: reports, turned: turnedReport, pngs: args.keep ? work : null }, null, 2))
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
