import type {
  BlurredRegion,
  BlurredRegionKind,
  Frame,
  FrameProcessor,
} from '../../pipeline/types.js'
import {
  FaceDetector,
  SECOND_LOOK_MIN,
  type FaceDetection,
  type FaceSearch,
} from '../faces/detector.js'
import type { Region } from '../faces/regions.js'
import { grow } from '../geometry.js'
import { ANONYMIZE_MODELS } from '../models.js'
import { PersonDetector } from '../people/detector.js'
import { UPRIGHT_DEGREES, headBox } from '../pose/head.js'
import type { SharedFrameState } from '../processors.js'
import type { VisionSettings } from '../settings.js'
import { TextDetector, type TextDetection } from '../text/detector.js'
import type { Box, Detection } from '../types.js'
import type { VisionModels } from '../vision_models.js'
import { blurRegions, type BlurRegion } from './blur.js'
import { covered, facesTurnedUpright } from './heads.js'
import { AnonymizeReport } from './report.js'
import { TEXT_EVERY_FRAMES, TILES_PER_KEYFRAME, keyframePlan, readsText } from './schedule.js'
import { TextReading } from './text_reading.js'
import { BoxTracker, type TrackedBox } from './track.js'

/** Scores under this (above the blur threshold) are flagged for a reviewer's eye. */
const LOW_CONFIDENCE_MARGIN = 0.15

/**
 * Blurs faces, shirt numbers and names in place. Faces: BlazeFace short + full range (tiles for
 * small faces) on keyframes, a tracker in between that keeps a box some frames after its last
 * detection. Text: PP-OCR on the people the pose step found, on the people a whole-body
 * detector finds that pose missed, and on the whole frame; numbers, numbers and names, or all
 * text as set (../text/classify.ts).
 * Everything blurred grows by the margin.
 */
export class AnonymizeProcessor implements FrameProcessor {
  readonly name = 'anonymize'
  readonly role = 'anonymization' as const
  readonly version: string
  #faces: FaceDetector
  /** Where the search runs: #faces itself, or the same detector on the lane. */
  #search: FaceSearch
  #text: TextDetector
  /** The body detector, for its threshold in the report. */
  #persons: PersonDetector
  /** BlazeFace short range alone, for heads turned upright (../pose/upright.ts, ./heads.ts). */
  #turnedFaces: FaceDetector
  #faceTracker: BoxTracker
  #textTracker: BoxTracker
  #settings: VisionSettings
  #report = new AnonymizeReport()
  /** For the risk score (../risk.ts): faces a keyframe lost, whose tracks alone then keep them. */
  #lostOnKeyframe = new Set<number>()
  #reading: TextReading
  /** A single picture rather than a video: everything is searched on it (see createAnonymizer). */
  #still: boolean
  /** The latest frame's blurred regions, by kind, for regions.json. */
  #blurred: BlurredRegion[] = []
  /** What the latest frame had blurred, and the text read on the latest keyframe (evaluation). */
  last: { faces: TrackedBox[]; text: TrackedBox[]; read: TextDetection[] } = {
    faces: [],
    text: [],
    read: [],
  }

  constructor(
    models: VisionModels,
    settings: VisionSettings,
    private shared: SharedFrameState,
    options: { still?: boolean } = {}
  ) {
    this.#settings = settings
    this.#still = options.still ?? false
    const faceOptions = {
      threshold: settings.faces.threshold,
      tiles: settings.faces.tiles,
      tileSizes: settings.faces.tileSizes,
    }
    this.#faces = new FaceDetector(
      { short: models.faceShort, full: models.faceFull, ssd: models.faceSsd },
      faceOptions
    )
    this.#search = models.faceSearch?.(faceOptions) ?? this.#faces
    this.#text = new TextDetector(
      { detector: models.textDetector, recognizer: models.textRecognizer },
      models.dictionary,
      { mode: settings.text.mode }
    )
    this.#persons = new PersonDetector(models.personDetector)
    this.#reading = new TextReading(
      this.#text,
      this.#persons,
      this.#report,
      (found) => (this.last.read = found),
      this.#still
    )
    this.#turnedFaces = new FaceDetector(
      { short: models.faceShort },
      { threshold: settings.faces.threshold, tiles: false }
    )
    this.#faceTracker = this.#trackerFor(1280, 720)
    // Only whole-frame readings feed this tracker (a person's text is carried with them): what
    // one finds is kept three reading intervals after it was last found.
    this.#textTracker = new BoxTracker({
      maxMissed: TEXT_EVERY_FRAMES * 3,
      margin: settings.margin,
    })
    this.version = ANONYMIZE_MODELS.map((name) => models.versions[name]).join(' + ')
  }

  /** A small face is looked for again when its tile comes round: it is kept until then, and some. */
  #trackerFor(width: number, height: number) {
    const rounds = Math.ceil(this.#faces.tilesFor(width, height).length / TILES_PER_KEYFRAME)
    return new BoxTracker({
      maxMissed: this.#settings.detectEvery * (rounds + 2),
      margin: this.#settings.margin,
    })
  }

  async init(info: { width: number; height: number; fps: number }) {
    this.#report.fps = info.fps
    this.#faceTracker = this.#trackerFor(info.width, info.height)
  }

  async process(frame: Frame) {
    const every = this.#settings.detectEvery
    const keyframe = frame.index % every === 0
    const people = this.shared.frameIndex === frame.index ? this.shared.people : []
    let faces: TrackedBox[]
    let text: TrackedBox[]
    // Faces and text are searched side by side: with the face models on a lane (./runtime/lane.ts)
    // the face search runs there while text is read here.
    const facesFound = keyframe ? this.#findFaces(frame) : undefined
    const unclassifiedBefore = this.#text.stats.unclassified
    const textRead = readsText(frame.index, every) ? this.#reading.read(frame, people) : undefined
    const [searched, read] = await Promise.all([facesFound, textRead])
    if (this.#text.stats.unclassified > unclassifiedBefore)
      this.#report.unclassifiedText.add(frame.index)
    const foundFaces = searched && (await this.#facesTurnedUpright(frame, people, searched))
    if (foundFaces) {
      this.#report.keyframes++
      this.#report.stats.detectedFaces += foundFaces.length
      if (lowConfidence(foundFaces, this.#settings.faces.threshold))
        this.#report.lowConfidence.add(frame.index)
      faces = this.#faceTracker.update(frame.index, foundFaces)
      // Between keyframes every face is tracked by design; a face the search itself lost is the risk.
      this.#lostOnKeyframe = new Set(faces.filter((box) => !box.detected).map((box) => box.trackId))
    } else {
      faces = this.#faceTracker.predict(frame.index)
    }
    if (faces.some((box) => this.#lostOnKeyframe.has(box.trackId)))
      this.#report.keptByTracking.add(frame.index)
    text = read
      ? this.#textTracker.update(frame.index, read)
      : this.#textTracker.predict(frame.index)
    const carried = this.#reading.carried.regions(frame.index, people)
    const heads = this.#heads(people, faces, frame.index)
    const regions: (BlurRegion & { kind: BlurredRegionKind })[] = [
      ...faces.map((box) => ({ ...box, shape: 'ellipse' as const, kind: 'face' as const })),
      ...heads.map((box) => ({ ...box, shape: 'ellipse' as const, kind: 'head' as const })),
      ...text.map((box) => ({ ...box, shape: 'rect' as const, kind: 'text' as const })),
      ...carried.map((box) => ({
        ...grow(box, this.#settings.margin),
        shape: 'rect' as const,
        kind: 'text' as const,
      })),
    ]
    blurRegions(frame, regions, this.#settings.blur)
    this.#blurred = regions.map(({ kind, x, y, width, height }) => ({ kind, x, y, width, height }))
    this.last.faces = [...faces, ...heads]
    this.last.text = [
      ...text,
      ...carried.map((box) => ({ ...box, trackId: -1, score: 1, detected: true })),
    ]
    if ([...faces, ...text].some((box) => !box.detected)) this.#report.trackedOnly.add(frame.index)
    this.#report.stats.headRegions += heads.length
    this.#report.stats.turnedHeadRegions += heads.filter(
      (head) => Math.abs(head.angle) > UPRIGHT_DEGREES
    ).length
    this.#report.count(frame, faces.length + heads.length, text.length + carried.length)
  }

  blurred() {
    return this.#blurred
  }

  /**
   * Starts a keyframe's face search as soon as the frame is decoded (see FrameProcessor):
   * it needs nothing from pose, text or the frames before, so with the face models on a lane
   * it runs there while this thread works on the frame before and on this frame's pose.
   */
  prepare(frame: Frame) {
    if (frame.index % this.#settings.detectEvery !== 0 || this.#prepared.has(frame.index)) return
    const search = this.#detectFaces(frame)
    // process() awaits it; if the pipeline fails before then, its failure is not unhandled.
    search.catch(() => {})
    this.#prepared.set(frame.index, search)
  }

  /** Face searches prepare() started, by frame index. */
  #prepared = new Map<number, Promise<FaceDetection[]>>()

  /**
   * A keyframe's faces: the planned search, then a look where lost tracks expect theirs (which
   * needs the tracker as the frames before left it, so it waits for process() and runs on this
   * thread, never on the lane).
   */
  async #findFaces(frame: Frame) {
    const prepared = this.#prepared.get(frame.index)
    for (const index of this.#prepared.keys())
      if (index <= frame.index) this.#prepared.delete(index)
    const found = await (prepared ?? this.#detectFaces(frame))
    // A keyframe runs only some tiles: a small face found on an earlier one is looked for
    // again where its track expects it, rather than coasting on until its tile comes round.
    const lost = this.#faceTracker.unmatched(frame.index, found)
    const lookedAgain = await this.#faces.lookAgain(frame, lost)
    const refound = lookedAgain.filter((face) => face !== null)
    this.#report.stats.refoundFaces += refound.length
    found.push(...refound)
    return found
  }

  /**
   * The faces of people pose found whose face no face box covers: BlazeFace misses faces
   * behind goggles, under helmets, in profile or half hidden, which pose still places from the
   * body. Grown by the margin like every face.
   */
  #heads(
    people: SharedFrameState['people'],
    faces: Box[],
    frameIndex: number
  ): (TrackedBox & { angle: number })[] {
    const heads: (TrackedBox & { angle: number })[] = []
    for (const person of people) {
      const head = headBox(person.keypoints)
      if (!head) continue
      if (covered(head, faces)) {
        this.#report.faceSeen.add(person.trackId)
        continue
      }
      this.#report.headPlaced(person.trackId, frameIndex)
      heads.push({
        ...grow(head, this.#settings.margin),
        score: head.score,
        trackId: -1,
        detected: true,
        angle: head.angle,
      })
    }
    return heads
  }

  /** A keyframe's faces with those of people lying or upside down looked for upright (./heads.ts). */
  async #facesTurnedUpright(
    frame: Frame,
    people: SharedFrameState['people'],
    found: FaceDetection[]
  ) {
    const { faces, heads, turnedFaces } = await facesTurnedUpright(
      this.#turnedFaces,
      frame,
      people,
      found
    )
    this.#report.stats.headsTurnedUpright += heads
    this.#report.stats.turnedFaceDetections += turnedFaces
    return faces
  }

  /** Faces on a keyframe, searched as keyframePlan() says. */
  #detectFaces(frame: Frame) {
    const { tiles, squares } = this.#searchRegions(frame)
    const turn = frame.index / this.#settings.detectEvery
    return this.#search.detect(
      frame,
      keyframePlan(turn, tiles, squares, this.#settings.faces.ssdEvery)
    )
  }

  #regions?: { width: number; height: number; tiles: Region[]; squares: Region[] }
  #searchRegions(frame: Frame) {
    if (this.#regions?.width !== frame.width || this.#regions.height !== frame.height) {
      const { width, height } = frame
      this.#regions = {
        width,
        height,
        tiles: this.#faces.tilesFor(width, height),
        squares: this.#faces.squaresFor(width, height),
      }
    }
    return this.#regions
  }

  /** The QA report metadata.json carries for reviewers (docs/architecture.md, "The pipeline"). */
  async finish() {
    return {
      settings: {
        faceThreshold: this.#settings.faces.threshold,
        // Weaker detections are candidates the short-range model confirms on a crop (faces/detector.ts).
        faceSecondLook: {
          candidatesFrom: this.#faces.options.candidateThreshold ?? 0,
          confirmedAt: SECOND_LOOK_MIN,
        },
        faceTiles: this.#settings.faces.tiles,
        // The SSD face detector's least score, and how often a video searches one of its squares.
        faceSsd: {
          threshold: this.#faces.options.ssdThreshold,
          everyKeyframes: this.#still ? 1 : this.#settings.faces.ssdEvery,
        },
        text: this.#settings.text.mode,
        // Whole-body people (CenterNet) whose shirts are read though pose did not find them.
        bodyDetector: { threshold: this.#persons.options.threshold },
        margin: this.#settings.margin,
        blur: this.#settings.blur,
        detectEvery: this.#settings.detectEvery,
        // Frames a face stays blurred after its last detection: a round of the frame's tiles and some.
        faceTracking: { keptFrames: this.#faceTracker.options.maxMissed },
      },
      ...this.#report.figures(this.#text.stats.unclassified),
    }
  }
}

function lowConfidence(found: Detection[], threshold: number) {
  return found.some((detection) => detection.score < threshold + LOW_CONFIDENCE_MARGIN)
}
