/** The run's totals over every labelled picture, and the targets they miss. */
import type { TextMode } from '../../workers/vision/settings.js'
import type { ItemReport } from './evaluate.js'
import { TARGETS } from './targets.js'

function ratio(num: number, den: number) {
  return den === 0 ? 1 : num / den
}

export function totals(reports: ItemReport[], textMode: TextMode) {
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
    faceRecall: ratio(
      sum((r) => r.faces.found),
      eligible
    ),
    /** null when the anonymizer returned no face at all on the fully labelled frames. */
    facePrecision:
      detections === 0
        ? null
        : (detections - sum((r) => r.faces.falsePositives, precise)) / detections,
    numbersLabelled: numbers,
    /**
     * Over the numbers labelled with their digits (the target): an illegible one (motion-blurred,
     * a faint outline; labelled with text null) cannot give a player away, so it is listed when
     * missed but not counted.
     */
    legibleNumbers,
    numberRecall: ratio(
      sum((r) => r.numbers.legibleFound),
      legibleNumbers
    ),
    /** Over every labelled number, illegible ones included (reported only). */
    numberRecallAll: ratio(
      sum((r) => r.numbers.found),
      numbers
    ),
    namesLabelled: sum((r) => r.names.labelled),
    /** Over the names readable in the frame (the target); illegible ones listed, not counted. */
    legibleNames,
    nameRecall: ratio(
      sum((r) => r.names.legibleFound),
      legibleNames
    ),
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
    msPerFrame: ratio(
      sum((r) => r.ms),
      reports.length
    ),
  }
  const failures: string[] = []
  if (t.faceRecall < TARGETS.faceRecall)
    failures.push(`face recall ${pct(t.faceRecall)} < ${pct(TARGETS.faceRecall)}`)
  if (t.numberRecall < TARGETS.numberRecall)
    failures.push(`legible number recall ${pct(t.numberRecall)} < ${pct(TARGETS.numberRecall)}`)
  if (t.nameRecall < TARGETS.nameRecall)
    failures.push(`legible name recall ${pct(t.nameRecall)} < ${pct(TARGETS.nameRecall)}`)
  if (t.faceSurvivors)
    failures.push(`${t.faceSurvivors} face(s) still found by Haar after blurring`)
  if (t.numberSurvivors)
    failures.push(`${t.numberSurvivors} number(s) still read by tesseract after blurring`)
  if (t.nameSurvivors)
    failures.push(`${t.nameSurvivors} name(s) still read by tesseract after blurring`)
  return { ...t, failures }
}

export function pct(x: number) {
  return `${(100 * x).toFixed(1)}%`
}
