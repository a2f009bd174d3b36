/**
 * What the anonymize processor tells reviewers about a clip (metadata.json's QA report): counts,
 * the frames where something was only tracked, weak or unread, the people whose face was never
 * seen, and the risk score made of them (../risk.ts).
 */
import { riskScore } from '../risk.js'

/** Frame ranges `[first, last]` from frame indexes seen in increasing order. */
export class Ranges {
  readonly list: [number, number][] = []
  add(index: number) {
    const last = this.list.at(-1)
    if (last && last[1] >= index - 1) last[1] = index
    else this.list.push([index, index])
  }
}

export class AnonymizeReport {
  readonly stats = {
    frames: 0,
    faceRegions: 0,
    textRegions: 0,
    detectedFaces: 0,
    /** Of those, faces a keyframe's search missed, found again around their track's expected box. */
    refoundFaces: 0,
    detectedText: 0,
    /** Of detectedText, readings taken for names on people (../text/classify.ts; blurred unless the mode is numbers). */
    detectedNames: 0,
    /** Face regions placed from pose keypoints where no face box covered the person's face. */
    headRegions: 0,
    /** Of those, the heads of people lying or upside down (turned over UPRIGHT_DEGREES from upright). */
    turnedHeadRegions: 0,
    /** Heads of people not upright shown to the face detector turned upright, and the faces it found on them. */
    headsTurnedUpright: 0,
    turnedFaceDetections: 0,
    /** People the body detector found on whole-frame text turns (pose's people included). */
    bodyDetectedPeople: 0,
    /** Of those, the ones pose had not found whose shirt was read. */
    unposedPeopleRead: 0,
  }
  /** Run-length per-frame counts: [firstFrame, lastFrame, faces, textRegions]. */
  #perFrame: [number, number, number, number][] = []
  readonly trackedOnly = new Ranges()
  readonly lowConfidence = new Ranges()
  /** For the risk score: the frames that only tracks of faces a keyframe lost kept blurred. */
  readonly keptByTracking = new Ranges()
  keyframes = 0
  /** Pose people whose face a face box covered at least once, and where each had a head placed from pose. */
  readonly faceSeen = new Set<number>()
  readonly headFrames = new Map<number, Ranges>()
  readonly unclassifiedText = new Ranges()
  /** The decode rate, from the frames' own times when there are two (init's rate otherwise). */
  fps = 30
  #firstFrame?: { index: number; timeMs: number }
  #lastFrame?: { index: number; timeMs: number }

  /** A frame was blurred with this many face and text regions. */
  count(frame: { index: number; timeMs: number }, faces: number, text: number) {
    this.#firstFrame ??= { index: frame.index, timeMs: frame.timeMs }
    this.#lastFrame = { index: frame.index, timeMs: frame.timeMs }
    this.stats.frames++
    this.stats.faceRegions += faces
    this.stats.textRegions += text
    const last = this.#perFrame.at(-1)
    if (last && last[1] === frame.index - 1 && last[2] === faces && last[3] === text)
      last[1] = frame.index
    else this.#perFrame.push([frame.index, frame.index, faces, text])
  }

  /** A head placed from pose for this person on this frame. */
  headPlaced(trackId: number, frameIndex: number) {
    if (!this.headFrames.has(trackId)) this.headFrames.set(trackId, new Ranges())
    this.headFrames.get(trackId)!.add(frameIndex)
  }

  /** The report's figures; `unclassifiedTextReadings` comes from the text detector. */
  figures(unclassifiedTextReadings: number) {
    return {
      ...this.stats,
      regionsPerFrame: {
        columns: ['firstFrame', 'lastFrame', 'faces', 'text'],
        runs: this.#perFrame,
      },
      framesFilledByTracking: this.trackedOnly.list,
      framesWithLowConfidence: this.lowConfidence.list,
      framesKeptByTrackingOnly: this.keptByTracking.list,
      peopleWithoutFace: this.#peopleWithoutFace(),
      framesWithUnclassifiedText: this.unclassifiedText.list,
      unclassifiedTextReadings,
      risk: riskScore({
        frames: this.stats.frames,
        keyframes: this.keyframes,
        fps: this.#decodeRate(),
        framesKeptByTrackingOnly: this.keptByTracking.list,
        framesWithLowConfidence: this.lowConfidence.list,
        peopleWithoutFace: this.#peopleWithoutFace(),
        framesWithUnclassifiedText: this.unclassifiedText.list,
        unclassifiedTextReadings,
      }),
    }
  }

  #peopleWithoutFace() {
    return [...this.headFrames]
      .filter(([trackId]) => !this.faceSeen.has(trackId))
      .map(([trackId, ranges]) => ({ trackId, frames: ranges.list }))
  }

  /** Frame indexes are the decoder's: a source below the output rate is decoded at its own. */
  #decodeRate() {
    const first = this.#firstFrame
    const last = this.#lastFrame
    if (!first || !last || last.index === first.index || last.timeMs <= first.timeMs)
      return this.fps
    return ((last.index - first.index) * 1000) / (last.timeMs - first.timeMs)
  }
}
