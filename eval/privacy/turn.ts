/**
 * Face recall on labelled pictures turned a quarter and half a turn (eval/privacy.ts): the
 * people in a sports clip lie, fall and go upside down, and the face search was trained on
 * upright faces. Each fully labelled still (no crowd left partly unlabelled) is anonymized
 * again turned 90° and 180° clockwise, its labels turned with it, and once more turned 180° as
 * a frame of a gymnastics clip, whose keyframes are also searched upside down for bodies the
 * person detector misses inverted (workers/vision/pose/inverted.ts).
 *
 * Two counts per angle, over the same faces (those ≥ 20 px high upright):
 *   matched  a returned face box matches the label at IoU ≥ 0.3, one to one, as the upright
 *            face recall counts; a head placed from pose or stretched over a turned face is
 *            bigger than the label, so this undercounts what is hidden;
 *   covered  at least COVERED of the labelled box lies inside the blurred face ellipses:
 *            what a viewer of the output cannot see.
 */
import type { Box, Detection } from '../../workers/vision/types.js'
import type { Frame } from '../../workers/pipeline/types.js'
import { turnBox, turnFrame } from '../../workers/vision/turn.js'

/** A labelled face counts as covered when this share of its box is inside blurred face ellipses. */
export const COVERED = 0.75

export interface TurnedRun {
  /** Row label: `upright`, `90°`, `180°`, `180° gymnastics`. */
  angle: string
  degrees: 0 | 90 | 180
  /** The clip's sport the picture is anonymized as (null: none). */
  sport: string | null
}

/**
 * The runs beside the upright pass: turned 90° and 180°, then 180° as a gymnastics clip (what
 * the search upside down adds, at what cost).
 */
export const TURNED_RUNS: readonly TurnedRun[] = [
  { angle: '90°', degrees: 90, sport: null },
  { angle: '180°', degrees: 180, sport: null },
  { angle: '180° gymnastics', degrees: 180, sport: 'gymnastics' },
]

export interface TurnedItemResult {
  id: string
  angle: string
  eligible: number
  matched: number
  covered: number
  ms: number
}

/** `frame` turned for `run` (the frame itself when upright), in a buffer of its own. */
export function turnedFrame(frame: Frame, run: Pick<TurnedRun, 'degrees'>): Frame {
  return run.degrees === 0
    ? { ...frame, data: Buffer.from(frame.data) }
    : turnFrame(frame, run.degrees)
}

/** Labelled faces (frame pixels of the upright frame) where they are in the frame turned for `run`. */
export function turnedLabels(
  faces: Box[],
  width: number,
  height: number,
  run: Pick<TurnedRun, 'degrees'>
): Box[] {
  const degrees = run.degrees
  return degrees === 0 ? faces : faces.map((face) => turnBox(face, width, height, degrees))
}

/** The share of `box` inside the ellipses inscribed in `regions` (a 20 × 20 grid of points). */
export function coverage(box: Box, regions: Box[]) {
  let inside = 0
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 20; j++) {
      const x = box.x + ((i + 0.5) / 20) * box.width
      const y = box.y + ((j + 0.5) / 20) * box.height
      const hit = regions.some(
        (r) =>
          r.width > 0 &&
          r.height > 0 &&
          ((x - r.x - r.width / 2) / (r.width / 2)) ** 2 +
            ((y - r.y - r.height / 2) / (r.height / 2)) ** 2 <=
            1
      )
      if (hit) inside++
    }
  }
  return inside / 400
}

/**
 * One picture at one angle scored: `labels` the eligible faces where the turned frame has
 * them, `faces` what the anonymizer returned (blurred as ellipses), `match` the evaluation's own
 * one-to-one IoU matching.
 */
export function scoreTurned(
  id: string,
  run: Pick<TurnedRun, 'angle'>,
  labels: Box[],
  faces: Detection[],
  ms: number,
  match: (labels: Box[], detections: Box[]) => { labelTo: number[] }
): TurnedItemResult {
  const { labelTo } = match(labels, faces)
  return {
    id,
    angle: run.angle,
    eligible: labels.length,
    matched: labelTo.filter((index) => index !== -1).length,
    covered: labels.filter((label) => coverage(label, faces) >= COVERED).length,
    ms,
  }
}

export interface TurnedTotals {
  angle: string
  pictures: number
  eligible: number
  matched: number
  covered: number
  matchedRecall: number
  coveredRecall: number
  msPerFrame: number
}

/** Totals per angle, in the order the angles first appear. */
export function turnedTotals(results: TurnedItemResult[]): TurnedTotals[] {
  const angles = [...new Set(results.map((result) => result.angle))]
  return angles.map((angle) => {
    const rows = results.filter((result) => result.angle === angle)
    const sum = (key: 'eligible' | 'matched' | 'covered' | 'ms') =>
      rows.reduce((total, row) => total + row[key], 0)
    const eligible = sum('eligible')
    return {
      angle,
      pictures: rows.length,
      eligible,
      matched: sum('matched'),
      covered: sum('covered'),
      matchedRecall: eligible ? sum('matched') / eligible : 1,
      coveredRecall: eligible ? sum('covered') / eligible : 1,
      msPerFrame: rows.length ? sum('ms') / rows.length : 0,
    }
  })
}

export function printTurned(results: TurnedItemResult[]) {
  const totals = turnedTotals(results)
  if (!totals.length) return
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`
  const pictures = [...new Set(results.map((result) => result.id))]
  console.log()
  console.log(
    `faces turned: ${pictures.length} fully labelled stills, ${totals[0].eligible} faces ≥ 20 px; matched = IoU ≥ 0.3 as face recall, covered = ≥ ${pct(COVERED)} of the face inside the blur`
  )
  const head = ['angle', 'matched', 'covered', 'ms/frame']
  const rows = totals.map((t) => [
    t.angle,
    `${t.matched}/${t.eligible} ${pct(t.matchedRecall)}`,
    `${t.covered}/${t.eligible} ${pct(t.coveredRecall)}`,
    `${Math.round(t.msPerFrame)}`,
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(line(head))
  for (const row of rows) console.log(line(row))
  // Pictures whose faces fare worse turned than upright: where to look.
  const upright = new Map(results.filter((r) => r.angle === 'upright').map((r) => [r.id, r]))
  for (const result of results) {
    const base = upright.get(result.id)
    if (base && result.angle !== 'upright' && result.covered < base.covered) {
      console.log(
        `  ${result.id} ${result.angle}: covered ${result.covered}/${result.eligible} (upright ${base.covered})`
      )
    }
  }
}
