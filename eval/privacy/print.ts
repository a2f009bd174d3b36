/** The evaluation as a table per picture, what each missed, and the totals against the targets. */
import type { Box } from '../../workers/vision/types.js'
import type { ItemReport } from './evaluate.js'
import { MATCH_IOU, MIN_FACE_PX, NAME_COVERED, TARGETS } from './targets.js'
import { pct, type totals } from './totals.js'

function boxText(b: Box) {
  return `[${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}x${Math.round(b.height)}]`
}

export function printTable(reports: ItemReport[], t: ReturnType<typeof totals>) {
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
  const head = [
    'frame',
    'faces found',
    'dets ok',
    'numbers',
    'names',
    'haar out/in',
    'face surv',
    'ocr out/in',
    'num surv',
    'ms',
  ]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
  console.log()
  for (const r of reports) {
    const lines = [
      ...r.faces.missed.map((b) => `missed face ${boxText(b)}`),
      ...r.numbers.missed.map(
        (n) =>
          `${n.text === null ? '(illegible, not counted) ' : ''}missed number ${n.text ?? '?'} ${boxText(n.box)}`
      ),
      ...r.names.missed.map(
        (n) =>
          `${n.text === null ? '(illegible, not counted) ' : ''}missed name ${n.text ?? '?'} ${boxText(n.box)}, ${pct(n.covered)} covered`
      ),
      ...r.independent.nameSurvivors.map(
        (n) => `SURVIVOR tesseract "${n.letters}" ${boxText(n.box)}`
      ),
      ...r.independent.faceSurvivors.map((b) => `SURVIVOR Haar face ${boxText(b)}`),
      ...r.independent.numberSurvivors.map(
        (n) => `SURVIVOR tesseract "${n.digits}" ${boxText(n.box)}`
      ),
      ...r.independent.faceFalseAlarms.map(
        (b) => `(Haar false alarm kept, no labelled face there) ${boxText(b)}`
      ),
      ...r.independent.otherDigits.map(
        (n) => `(digits kept away from labelled numbers) "${n.digits}" ${boxText(n.box)}`
      ),
    ]
    if (lines.length) console.log(`${r.id}:\n  ${lines.join('\n  ')}`)
  }
  console.log()
  console.log(`text mode ${t.textMode}`)
  console.log(
    `frames ${t.items}; faces labelled ${t.facesLabelled}, ≥ ${MIN_FACE_PX} px ${t.facesEligible}; numbers ${t.numbersLabelled} (${t.legibleNumbers} legible); names ${t.namesLabelled} (${t.legibleNames} legible)`
  )
  console.log(
    `face recall      ${pct(t.faceRecall)}  (target ≥ ${pct(TARGETS.faceRecall)}, IoU ≥ ${MATCH_IOU}, faces ≥ ${MIN_FACE_PX} px)`
  )
  console.log(
    `face precision   ${t.facePrecision === null ? 'n/a' : pct(t.facePrecision)}  (crowdTooSmall and partial frames left out)`
  )
  console.log(
    `number recall    ${pct(t.numberRecall)}  of the ${t.legibleNumbers} legible (target ≥ ${pct(TARGETS.numberRecall)}); ${pct(t.numberRecallAll)} of all ${t.numbersLabelled}`
  )
  console.log(
    `name recall      ${pct(t.nameRecall)}  of the ${t.legibleNames} legible (target ≥ ${pct(TARGETS.nameRecall)}, ≥ ${pct(NAME_COVERED)} of the name covered); illegible ones covered ${t.illegibleNamesFound}/${t.namesLabelled - t.legibleNames}`
  )
  console.log(
    `Haar faces in input ${t.independentInputFaces} (on ${t.haarSeesLabelledFaces}/${t.facesEligible} labelled faces), survivors ${t.faceSurvivors} (target 0)`
  )
  console.log(
    `tesseract digit strings in input ${t.independentInputNumbers} (on ${t.tesseractReadsLabelledNumbers}/${t.numbersLabelled} labelled numbers), survivors ${t.numberSurvivors} (target 0)`
  )
  console.log(
    `tesseract words in the labelled names' places: on ${t.tesseractReadsLabelledNames}/${t.namesLabelled} labelled names, survivors ${t.nameSurvivors} (target 0)`
  )
  console.log(
    `kept but not counted: ${t.haarFalseAlarmsKept} Haar false alarm(s), ${t.otherDigitsKept} digit string(s) off the labelled numbers`
  )
  console.log(`anonymize ${Math.round(t.msPerFrame)} ms/frame`)
  console.log(t.failures.length ? `FAIL: ${t.failures.join('; ')}` : 'PASS')
}
