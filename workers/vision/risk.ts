/**
 * A clip's privacy risk score: how likely its anonymized video still shows someone, from the
 * QA report the anonymize processor keeps. 0 (nothing to worry about) to 100, with the reasons
 * that make it up and the frames where each happens, so a reviewer starts with the riskiest
 * clips and, in each, at the riskiest moments.
 */

/** Frame ranges `[first, last]`, inclusive, in decoded-frame indexes. */
export type FrameRanges = [number, number][]

export type RiskCode =
  'face_never_seen' | 'kept_by_tracking' | 'low_confidence' | 'text_unclassified'

export interface RiskInputs {
  /** Frames processed, and the keyframes among them (where the face detectors ran). */
  frames: number
  keyframes: number
  /** Decoded frames a second: turns frame indexes into the video's seconds. */
  fps: number
  /** Frames where a face a keyframe's search lost was still blurred only from its track. */
  framesKeptByTrackingOnly: FrameRanges
  /** Keyframes where a face was found only just above the threshold. */
  framesWithLowConfidence: FrameRanges
  /** People pose found whose face no face detection ever covered: their heads blurred from pose alone. */
  peopleWithoutFace: { trackId: number; frames: FrameRanges }[]
  /** Frames where the recogniser read text that was not classified as something to blur. */
  framesWithUnclassifiedText: FrameRanges
  unclassifiedTextReadings: number
}

export interface RiskReason {
  code: RiskCode
  message: string
  /** Points this reason adds to the score. */
  weight: number
  /** Where it happens, the longest first (at most MAX_MOMENTS). */
  frames: FrameRanges
  /** The same ranges in seconds of the video, `[start, end]`. */
  times: [number, number][]
}

export interface RiskScore {
  score: number
  /** Highest weight first; reasons that add nothing are left out. */
  reasons: RiskReason[]
}

/**
 * Each reason's most points. Why these: a person whose face was never detected is the likeliest
 * leak, since their head is blurred only where pose placed it, and pose drifts on a turned or
 * small head; a face kept only by its track comes next, because the track coasts on a guess
 * and grows its margin rather than looking again; a weak detection was blurred, so it risks only
 * the frames around it where it fell below the threshold; text read and left unblurred may be a
 * name on a shirt, but is more often a sponsor's word or noise. The caps sum to 100, so no single
 * reason can outweigh two others together, and a clip scoring high has more than one problem.
 */
export const RISK_CAPS: Record<RiskCode, number> = {
  face_never_seen: 40,
  kept_by_tracking: 25,
  low_confidence: 20,
  text_unclassified: 15,
}

/**
 * Where each reason reaches its cap. Shares of frames rather than counts, so a long clip is not
 * riskier for being long; people and readings are counts, since one unseen face or one read name
 * is already a leak whatever the clip's length.
 */
const PEOPLE_AT_CAP = 3
const TRACKING_SHARE_AT_CAP = 0.2
const LOW_CONFIDENCE_SHARE_AT_CAP = 0.25
const READINGS_AT_CAP = 6
/** Moments kept per reason: enough to jump through, small enough for metadata.json and a row. */
export const MAX_MOMENTS = 10

export function riskScore(inputs: RiskInputs): RiskScore {
  const frameCount = (ranges: FrameRanges) =>
    ranges.reduce((sum, [first, last]) => sum + last - first + 1, 0)
  const reasons: RiskReason[] = []
  const add = (code: RiskCode, fraction: number, frames: FrameRanges, message: string) => {
    const weight = round(RISK_CAPS[code] * Math.min(1, Math.max(0, fraction)))
    if (weight <= 0) return
    const moments = [...frames]
      .sort((a, b) => b[1] - b[0] - (a[1] - a[0]) || a[0] - b[0])
      .slice(0, MAX_MOMENTS)
    const seconds = (index: number) => round(index / (inputs.fps > 0 ? inputs.fps : 30))
    reasons.push({
      code,
      message,
      weight,
      frames: moments,
      times: moments.map(([first, last]) => [seconds(first), seconds(last + 1)]),
    })
  }

  const unseen = inputs.peopleWithoutFace.length
  add(
    'face_never_seen',
    unseen / PEOPLE_AT_CAP,
    inputs.peopleWithoutFace.flatMap((person) => person.frames),
    `${plural(unseen, 'person', 'people')} never had a face detected; their ${unseen === 1 ? 'head is' : 'heads are'} blurred only from the pose.`
  )
  const tracked = frameCount(inputs.framesKeptByTrackingOnly)
  add(
    'kept_by_tracking',
    share(tracked, inputs.frames) / TRACKING_SHARE_AT_CAP,
    inputs.framesKeptByTrackingOnly,
    `In ${plural(tracked, 'frame')} a face the detector lost is blurred only where its track guesses it is.`
  )
  const weak = frameCount(inputs.framesWithLowConfidence)
  add(
    'low_confidence',
    share(weak, inputs.keyframes) / LOW_CONFIDENCE_SHARE_AT_CAP,
    inputs.framesWithLowConfidence,
    `${plural(weak, 'keyframe')} found a face only just above the detection threshold.`
  )
  const readings = inputs.unclassifiedTextReadings
  add(
    'text_unclassified',
    readings / READINGS_AT_CAP,
    inputs.framesWithUnclassifiedText,
    `Text was read ${plural(readings, 'time')} but not classified as something to blur (it may be a name).`
  )

  reasons.sort((a, b) => b.weight - a.weight)
  const score = Math.min(
    100,
    Math.max(0, Math.round(reasons.reduce((sum, reason) => sum + reason.weight, 0)))
  )
  return { score, reasons }
}

function share(part: number, whole: number) {
  return whole > 0 ? part / whole : 0
}

function plural(count: number, one: string, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`
}

const round = (value: number) => Math.round(value * 10) / 10
