/** One labelled picture judged: the anonymizer's boxes against the labels, and what the independent detectors still find. */
import type { Box, Detection } from '../../workers/vision/types.js'
import { iou } from '#workers/vision/geometry'
import { letterbox, toFrame } from '../letterbox.js'
import type { IndependentImage } from './independent.js'
import { itemId, type LabelItem } from './labels.js'
import { coveredShare, covers, matchBoxes, near, touches } from './matching.js'
import { MATCH_IOU, MIN_FACE_PX, NAME_COVERED } from './targets.js'

export interface AnonymizeResult {
  faces: Detection[]
  text: (Detection & { text: string })[]
}

export interface ItemReport {
  id: string
  faces: {
    labelled: number
    eligible: number
    found: number
    detections: number
    falsePositives: number
    missed: Box[]
  }
  numbers: {
    labelled: number
    found: number
    legible: number
    legibleFound: number
    missed: { text: string | null; box: Box }[]
  }
  names: {
    labelled: number
    found: number
    legible: number
    legibleFound: number
    missed: { text: string | null; box: Box; covered: number }[]
  }
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

export function evaluate(
  item: LabelItem,
  result: AnonymizeResult,
  before: IndependentImage,
  after: IndependentImage,
  ms: number
): ItemReport {
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
  const names = (item.names ?? []).map((n) => ({
    text: n.text,
    box: toFrame(n, lb),
    covered: coveredShare(toFrame(n, lb), result.text),
  }))
  const namesMissed = names.filter((n) => n.covered < NAME_COVERED)

  // A survivor is something the independent detectors still find where they found it before:
  // a new false alarm in the blur is not a leak, the same face or number read again is.
  // Haar and tesseract also fire on shirts, hands and stray marks that nobody would blur; in a
  // fully labelled frame a survivor touching no labelled face/number is such a false alarm
  // and is listed apart. In a partial frame only the regions checked by eye (`notFaces`) are
  // explained away: elsewhere an unlabelled crowd face may be what Haar found. In a
  // crowdTooSmall frame every face is below 20 px, so any Haar face there is a false alarm.
  // Numbers are labelled in full everywhere.
  const faceSurvivorsAll = after.faces.filter((face) =>
    before.faces.some((f) => iou(f, face) >= MATCH_IOU)
  )
  const numberSurvivorsAll = after.numbers
    .filter((n) => n.digits && before.numbers.some((b) => b.digits === n.digits && near(b, n)))
    .map((n) => ({ digits: n.digits, box: { x: n.x, y: n.y, width: n.width, height: n.height } }))
  // How much the survivor check can see at all: a labelled face Haar never found in the
  // input cannot survive, whatever the blur did to it.
  const haarSees = (f: Box) =>
    before.faces.some(
      (h) => iou(f, h) >= MATCH_IOU || covers(h, f.x + f.width / 2, f.y + f.height / 2)
    )
  const ocrSees = (n: Box) => before.numbers.some((b) => touches(n, b))
  const notFaces = (item.notFaces ?? []).map((box) => toFrame(box, lb))
  const onFace = (b: Box) =>
    faces.some((f) => touches(f, b)) ||
    (item.partial === true && item.crowdTooSmall !== true && !notFaces.some((n) => touches(n, b)))
  const onNumber = (b: Box) => numbers.some((n) => touches(n.box, b))
  const words = { before: before.words ?? [], after: after.words ?? [] }
  const nameSurvivors = words.after
    .filter(
      (w) =>
        names.some((n) => touches(n.box, w)) &&
        words.before.some((b) => b.letters === w.letters && near(b, w))
    )
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
