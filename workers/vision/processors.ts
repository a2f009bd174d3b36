/**
 * The vision frame processors the pipeline runs between decode and encode:
 *
 *   pose (on the original frame) → anonymize (faces, shirt numbers and names blurred in place)
 *
 * Models are loaded once per worker process (`loadVisionModels`) and shared by every clip;
 * processors are made per clip (`createVisionProcessors`) because they hold that clip's
 * trackers and statistics. Detectors run on every `detectEvery`-th decoded frame and trackers
 * carry boxes through the frames between, so every frame is blurred whatever the schedule.
 */
import { readFileSync } from 'node:fs'
import type { BlurredRegion, BlurredRegionKind, Frame, FrameProcessor, Keypoint, PersonKeypoints } from '../pipeline/types.js'
import { blurRegions, type BlurRegion } from './anonymize/blur.js'
import { FaceDetector, SECOND_LOOK_MIN, type FaceDetection, type FaceDetectorOptions, type FaceSearch, type Region } from './faces/detector.js'
import { ANONYMIZE_MODELS, MODELS, TEXT_DICTIONARY, modelPath, packageFile, type ModelName, type ModelSource } from './models.js'
import { PoseEstimator, roiFromDetection, type Roi } from './pose/estimator.js'
import { UPRIGHT_DEGREES, headBox, type HeadBox } from './pose/head.js'
import { fromUpright, uprightCrop } from './pose/upright.js'
import { KeypointSmoother } from './pose/smooth.js'
import { InvertedSearchPlan, detectionFromTurned } from './pose/inverted.js'
import { turnFrame } from './turn.js'
import type { VisionRuntime } from './runtime/runtime.js'
import type { VisionSettings } from './settings.js'
import { TextDetector, loadDictionary, type TextDetection } from './text/detector.js'
import { riskScore } from './risk.js'
import { BoxTracker, type TrackedBox } from './anonymize/track.js'
import type { Box, Detection, Model } from './types.js'
import { iou, shortSideSquares } from './geometry.js'
import { PersonDetector } from './people/detector.js'

export interface VisionModels {
  faceShort: Model
  faceFull: Model
  faceSsd: Model
  /** Whole-body person boxes for the text reader (people pose does not find). */
  personDetector: Model
  textDetector: Model
  textRecognizer: Model
  dictionary: string[]
  poseDetector: Model
  poseLandmarks: Model
  /** `package@version/file` of each model used, for metadata.json. */
  versions: Record<string, string>
  /** With the face models on a lane: a face search that runs there whole. */
  faceSearch?: (options: Partial<FaceDetectorOptions>) => FaceSearch
}

/**
 * The models a runtime with a lane runs there (see ./lane.ts): the face search, which needs
 * nothing from pose or text, and the body detector, which runs beside the whole-frame text
 * detector on a text turn.
 */
export const LANE_MODELS: readonly ModelName[] = ['face-short', 'face-full', 'face-ssd', 'person-centernet']

/** Loads (converting first where needed) every model the processors use. */
export async function loadVisionModels(runtime: VisionRuntime, settings: VisionSettings): Promise<VisionModels> {
  const landmarks: ModelName = `pose-landmark-${settings.pose.model}`
  const names: ModelName[] = [...ANONYMIZE_MODELS, 'pose-detector', landmarks]
  const loaded = {} as Record<ModelName, Model>
  for (const name of names) {
    const source: ModelSource = MODELS[name]
    // With a lane, the models that do not split well take one core each, side by side;
    // without one, the second thread is all a run can get from the other core.
    const threads = source.splits || !settings.lane ? settings.threads : 1
    loaded[name] = await runtime.load(name, await modelPath(name, settings.cacheDir), threads)
  }
  const versions: Record<string, string> = {}
  for (const name of names) versions[name] = modelVersion(name)
  const lane = runtime.lane
  return {
    faceSearch: lane && ((options) => lane.faceSearch({ short: 'face-short', full: 'face-full', ssd: 'face-ssd' }, options)),
    // The look again after a keyframe's search (#findFaces) runs here, on a session of its own:
    // the vision thread waits for it, and on the lane it waited for the model run under way
    // there too (about 55 ms a keyframe on the arm-wrestling clip, for 8 ms of work).
    faceShort: lane ? await runtime.load('face-short', await modelPath('face-short', settings.cacheDir), 1, { here: true }) : loaded['face-short'],
    faceFull: loaded['face-full'],
    faceSsd: loaded['face-ssd'],
    personDetector: loaded['person-centernet'],
    textDetector: loaded['text-detector'],
    textRecognizer: loaded['text-recognizer'],
    dictionary: await loadDictionary(packageFile(TEXT_DICTIONARY.package, TEXT_DICTIONARY.file)),
    poseDetector: loaded['pose-detector'],
    poseLandmarks: loaded[landmarks],
    versions,
  }
}

function modelVersion(name: ModelName) {
  const source = MODELS[name]
  const { version } = JSON.parse(readFileSync(packageFile(source.package, 'package.json'), 'utf8'))
  return `${source.package}@${version}/${source.file}`
}

/** What the pose processor tells the anonymizer about the frame they both see. */
interface SharedFrameState {
  frameIndex: number
  people: { trackId: number; box: Box; keypoints: Keypoint[] }[]
}

/**
 * What a clip's processors are told about it besides its frames. `still`: the frames are
 * unrelated pictures, each searched in full (no schedule, no tracking gain). `sport`: the
 * uploader's sport, which may say that bodies turn upside down (./pose/inverted.ts).
 */
export interface ClipHints {
  still?: boolean
  sport?: string | null
}

export function createVisionProcessors(models: VisionModels, settings: VisionSettings, options: ClipHints = {}): FrameProcessor[] {
  const shared: SharedFrameState = { frameIndex: -1, people: [] }
  return [new PoseProcessor(models, settings, shared, options), new AnonymizeProcessor(models, settings, shared, options)]
}

/** Frame ranges `[first, last]` from frame indexes seen in increasing order. */
class Ranges {
  readonly list: [number, number][] = []
  add(index: number) {
    const last = this.list.at(-1)
    if (last && last[1] >= index - 1) last[1] = index
    else this.list.push([index, index])
  }
}

/**
 * Multi-person pose on the unblurred frame: the detector on keyframes, and in between each
 * known person followed from their previous box. Track ids come from a box tracker; raw and
 * One-Euro-smoothed keypoints are both reported.
 *
 * The whole-frame detector sees the frame at 224 px and misses people under about a fifth of
 * its height (a wide shot's players): each keyframe also runs one of its overlapping tiles, in
 * turn, so a small newcomer is found within a round of tiles and followed from then on. A
 * still picture runs them all.
 *
 * The detector misses many bodies upside down: where the clip's sport or what pose saw says
 * there are some, a keyframe is also searched turned 180° (./pose/inverted.ts).
 */
export class PoseProcessor implements FrameProcessor {
  readonly name = 'pose'
  readonly role = 'pose' as const
  readonly version: string
  #estimator: PoseEstimator
  #tracker = new BoxTracker({ iouThreshold: 0.2, maxMissed: 15, margin: 0 })
  #smoother = new KeypointSmoother()
  #every: number
  #previous: Roi[] = []
  #frames = 0
  #people = 0
  #maxPeople = 0
  #tracks = new Set<number>()
  #keyframes = 0
  #still: boolean
  #inverted: InvertedSearchPlan
  /** Keyframes also searched turned 180°, and the people found only there (summed over keyframes). */
  #invertedSearches = 0
  #invertedPeople = 0

  constructor(
    models: VisionModels,
    settings: VisionSettings,
    private shared: SharedFrameState,
    options: ClipHints = {}
  ) {
    this.#still = options.still ?? false
    this.#inverted = new InvertedSearchPlan({ sport: options.sport, sports: settings.pose.invertedSports })
    this.#estimator = new PoseEstimator({ detector: models.poseDetector, landmarks: models.poseLandmarks })
    this.#every = settings.detectEvery
    this.version = `${models.versions['pose-detector']} + ${models.versions[`pose-landmark-${settings.pose.model}`]}`
  }

  async process(frame: Frame): Promise<PersonKeypoints[]> {
    // Everyone known is followed from last frame's region; on keyframes the detector adds
    // newcomers (a detection on someone already followed would only run their landmarks twice).
    let rois = this.#previous
    const keyframe = frame.index % this.#every === 0
    if (keyframe || rois.length === 0) {
      const tiles = this.#still || [this.#keyframes++]
      const detected = (await this.#estimator.detector.detect(frame, { tiles })).map(roiFromDetection)
      rois = [...rois, ...detected.filter((roi) => !rois.some((known) => sameRegion(known, roi)))]
    }
    // Searched upside down too as the sport and the frames before say (a picture: its sport alone).
    const turned = this.#inverted.reason(frame.timeMs, keyframe || this.#still) ? await this.#searchTurned(frame, rois) : []
    const poses = await this.#estimator.fromRois(frame, [...rois, ...turned])
    this.#invertedPeople += poses.filter((pose) => turned.includes(pose.roi)).length
    this.#inverted.saw(frame.timeMs, poses.map((pose) => pose.keypoints))
    this.#tracker.update(frame.index, poses.map((pose) => ({ ...pose.bbox, score: pose.score })))
    const people: PersonKeypoints[] = []
    for (const [index, pose] of poses.entries()) {
      const id = this.#tracker.assigned[index]
      this.#tracks.add(id)
      const keypoints = pose.keypoints.map(clampScore)
      people.push({
        trackId: id,
        bbox: [round(pose.bbox.x), round(pose.bbox.y), round(pose.bbox.width), round(pose.bbox.height)],
        score: round(Math.min(1, Math.max(0, pose.score)), 3),
        keypoints: keypoints.map(roundKeypoint),
        smoothed: this.#smoother.smooth(id, frame.timeMs, keypoints).map(clampScore).map(roundKeypoint),
      })
    }
    // Each person's region for the next frame, from the landmark model's own alignment points.
    this.#previous = poses.map((pose) => pose.next)
    this.shared.frameIndex = frame.index
    this.shared.people = poses.map((pose, index) => ({ trackId: people[index].trackId, box: pose.bbox, keypoints: pose.keypoints }))
    this.#frames++
    this.#people += people.length
    this.#maxPeople = Math.max(this.#maxPeople, people.length)
    return people
  }

  /**
   * The regions of the people the detector finds on the frame turned 180°, turned back, but
   * those on a body a region in `rois` already covers the same way up. A body found both ways
   * keeps the better-scored of its two poses (PoseEstimator.fromRois). A video's keyframe is
   * searched whole, without its tile: an athlete upside down is mostly the picture's subject,
   * not a small figure far off, and the tile would double the cost (a picture runs them all).
   */
  async #searchTurned(frame: Frame, rois: Roi[]) {
    this.#invertedSearches++
    const found = await this.#estimator.detector.detect(turnFrame(frame, 180), { tiles: this.#still })
    return found
      .map((detection) => roiFromDetection(detectionFromTurned(detection, frame.width, frame.height)))
      .filter((roi) => !rois.some((known) => sameRegion(known, roi) && sameWayUp(known, roi)))
  }

  async finish() {
    return {
      frames: this.#frames,
      personDetections: this.#people,
      maxPeopleInAFrame: this.#maxPeople,
      tracks: this.#tracks.size,
      detectEvery: this.#every,
      // What looking for bodies upside down cost (one detector run on the frame turned 180° per
      // keyframe searched, plus the landmark model on what it found) and what it found.
      invertedSearch: {
        bySport: this.#inverted.bySport,
        keyframes: this.#invertedSearches,
        people: this.#invertedPeople,
      },
    }
  }
}

/**
 * What the face search covers on the `turn`-th keyframe of a video: the first searches the
 * whole grid and every SSD square; later ones take their share of the tiles (TILES_PER_KEYFRAME),
 * and every `ssdEvery`-th one SSD square in turn (~20 ms a 512² run on two cores, as much as
 * all of a keyframe's BlazeFace runs; the tracker keeps its faces in between).
 */
export function keyframePlan(turn: number, grid: Region[], squares: Region[], ssdEvery: number) {
  if (turn === 0) return { tiles: grid, squares }
  const rounds = Math.max(1, Math.ceil(grid.length / TILES_PER_KEYFRAME))
  const ssdTurn = turn / ssdEvery
  return {
    tiles: grid.filter((_, i) => i % rounds === turn % rounds),
    squares: squares.length && Number.isInteger(ssdTurn) ? [squares[ssdTurn % squares.length]] : [],
  }
}

/**
 * Whether decoded frame `index` reads text when detectors run every `every` frames: the first
 * keyframe of each TEXT_EVERY_FRAMES frames, so readings come as often whatever `every` is.
 */
export function readsText(index: number, every: number) {
  return index % every === 0 && Math.floor(index / TEXT_EVERY_FRAMES) !== Math.floor((index - every) / TEXT_EVERY_FRAMES)
}

/** Two regions on one person: centres closer than half the smaller side. */
function sameRegion(a: Roi, b: Roi) {
  return Math.hypot(a.cx - b.cx, a.cy - b.cy) < Math.min(a.size, b.size) / 2
}

/** Two regions turned within a quarter turn of each other: the landmark model sees the body the same way up in both. */
function sameWayUp(a: Roi, b: Roi) {
  const difference = Math.abs(a.rotation - b.rotation) % (2 * Math.PI)
  return Math.min(difference, 2 * Math.PI - difference) < Math.PI / 2
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits
const clampScore = ([x, y, score]: Keypoint): Keypoint => [x, y, Math.min(1, Math.max(0, score))]
const roundKeypoint = ([x, y, score]: Keypoint): Keypoint => [round(x), round(y), round(score, 3)]

/** Scores under this (above the blur threshold) are flagged for a reviewer's eye. */
const LOW_CONFIDENCE_MARGIN = 0.15
/** Face tiles run on one keyframe; the grid is spread over as many keyframes as it takes (the whole frame is searched on each). */
const TILES_PER_KEYFRAME = 6
/** A pose-placed face overlapping a face box this much is that face already. */
const HEAD_COVERED_IOU = 0.3
/**
 * Heads turned upright for the face detector on one keyframe, most tilted first: each is one
 * 128 px BlazeFace run, and a gymnastics hall can have many people upside down at once.
 */
const TURNED_HEADS_PER_KEYFRAME = 6
/**
 * A face found on a head turned upright is that head's when its centre lies within the pose
 * head grown by this much of its size each side (pose places a turned head less surely).
 */
const TURNED_FACE_REACH = 0.5
/**
 * Text is read on the first keyframe of every this-many frames (one person per reading): the
 * same rate whatever VISION_DETECT_EVERY is, since a player's turn comes round by readings.
 */
const TEXT_EVERY_FRAMES = 8
/** People read at once when several have never been read (a clip's start, a team running in). */
const NEW_PEOPLE_PER_READING = 4
/**
 * A body-detected person overlapping a pose person less than this (and centred outside their
 * box) is someone pose missed; more, and it is that person again, already read.
 */
const UNPOSED_MAX_IOU = 0.3
/** Text boxes from two readings (a person's and the whole frame's) overlapping this much are one. */
const SAME_TEXT_IOU = 0.5
/** Text carried with a person is kept this many frames after their last reading. */
const CARRY_FRAMES = 90

/**
 * Blurs faces, shirt numbers and names in place. Faces: BlazeFace short + full range (tiles for
 * small faces) on keyframes, a tracker in between that keeps a box some frames after its last
 * detection. Text: PP-OCR on the people the pose step found, on the people a whole-body
 * detector finds that pose missed, and on the whole frame; numbers, numbers and names, or all
 * text as set (./text/classify.ts).
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
  #persons: PersonDetector
  /** BlazeFace short range alone, for heads turned upright (./pose/upright.ts). */
  #turnedFaces: FaceDetector
  #faceTracker: BoxTracker
  #textTracker: BoxTracker
  #settings: VisionSettings
  #stats = {
    frames: 0,
    faceRegions: 0,
    textRegions: 0,
    detectedFaces: 0,
    /** Of those, faces a keyframe's search missed, found again around their track's expected box. */
    refoundFaces: 0,
    detectedText: 0,
    /** Of detectedText, readings taken for names on people (./text/classify.ts; blurred unless the mode is numbers). */
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
  #trackedOnly = new Ranges()
  #lowConfidence = new Ranges()
  /** For the risk score (./risk.ts): faces a keyframe lost, and the frames their tracks alone kept. */
  #lostOnKeyframe = new Set<number>()
  #keptByTracking = new Ranges()
  #keyframes = 0
  /** Pose people whose face a face box covered at least once, and where each had a head placed from pose. */
  #faceSeen = new Set<number>()
  #headFrames = new Map<number, Ranges>()
  #unclassifiedText = new Ranges()
  /** The decode rate, from the frames' own times when there are two (init's rate otherwise). */
  #fps = 30
  #firstFrame?: { index: number; timeMs: number }
  #lastFrame?: { index: number; timeMs: number }
  #carried = new CarriedText()
  #textTurn = 0
  #unposedTurn = 0
  /** A single picture rather than a video: everything is searched on it (see createAnonymizer). */
  #still: boolean
  /** The latest frame's blurred regions, by kind, for regions.json. */
  #blurred: BlurredRegion[] = []
  /** What the latest frame had blurred, and the text read on the latest keyframe (evaluation). */
  last: { faces: TrackedBox[]; text: TrackedBox[]; read: TextDetection[] } = { faces: [], text: [], read: [] }

  constructor(
    models: VisionModels,
    settings: VisionSettings,
    private shared: SharedFrameState,
    options: { still?: boolean } = {}
  ) {
    this.#settings = settings
    this.#still = options.still ?? false
    const faceOptions = { threshold: settings.faces.threshold, tiles: settings.faces.tiles, tileSizes: settings.faces.tileSizes }
    this.#faces = new FaceDetector({ short: models.faceShort, full: models.faceFull, ssd: models.faceSsd }, faceOptions)
    this.#search = models.faceSearch?.(faceOptions) ?? this.#faces
    this.#text = new TextDetector(
      { detector: models.textDetector, recognizer: models.textRecognizer },
      models.dictionary,
      { mode: settings.text.mode }
    )
    this.#persons = new PersonDetector(models.personDetector)
    this.#turnedFaces = new FaceDetector({ short: models.faceShort }, { threshold: settings.faces.threshold, tiles: false })
    this.#faceTracker = this.#trackerFor(1280, 720)
    // Only whole-frame readings feed this tracker (a person's text is carried with them): what
    // one finds is kept three reading intervals after it was last found.
    this.#textTracker = new BoxTracker({ maxMissed: TEXT_EVERY_FRAMES * 3, margin: settings.margin })
    this.version = ANONYMIZE_MODELS.map((name) => models.versions[name]).join(' + ')
  }

  /** A small face is looked for again when its tile comes round: it is kept until then, and some. */
  #trackerFor(width: number, height: number) {
    const rounds = Math.ceil(this.#faces.tilesFor(width, height).length / TILES_PER_KEYFRAME)
    return new BoxTracker({ maxMissed: this.#settings.detectEvery * (rounds + 2), margin: this.#settings.margin })
  }

  async init(info: { width: number; height: number; fps: number }) {
    this.#fps = info.fps
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
    const textRead = readsText(frame.index, every) ? this.#readText(frame, people) : undefined
    const [searched, read] = await Promise.all([facesFound, textRead])
    if (this.#text.stats.unclassified > unclassifiedBefore) this.#unclassifiedText.add(frame.index)
    const foundFaces = searched && (await this.#facesTurnedUpright(frame, people, searched))
    if (foundFaces) {
      this.#keyframes++
      this.#stats.detectedFaces += foundFaces.length
      if (lowConfidence(foundFaces, this.#settings.faces.threshold)) this.#lowConfidence.add(frame.index)
      faces = this.#faceTracker.update(frame.index, foundFaces)
      // Between keyframes every face is tracked by design; a face the search itself lost is the risk.
      this.#lostOnKeyframe = new Set(faces.filter((box) => !box.detected).map((box) => box.trackId))
    } else {
      faces = this.#faceTracker.predict(frame.index)
    }
    if (faces.some((box) => this.#lostOnKeyframe.has(box.trackId))) this.#keptByTracking.add(frame.index)
    this.#firstFrame ??= { index: frame.index, timeMs: frame.timeMs }
    this.#lastFrame = { index: frame.index, timeMs: frame.timeMs }
    text = read ? this.#textTracker.update(frame.index, read) : this.#textTracker.predict(frame.index)
    const carried = this.#carried.regions(frame.index, people)
    const heads = this.#heads(people, faces, frame.index)
    const regions: (BlurRegion & { kind: BlurredRegionKind })[] = [
      ...faces.map((box) => ({ ...box, shape: 'ellipse' as const, kind: 'face' as const })),
      ...heads.map((box) => ({ ...box, shape: 'ellipse' as const, kind: 'head' as const })),
      ...text.map((box) => ({ ...box, shape: 'rect' as const, kind: 'text' as const })),
      ...carried.map((box) => ({ ...grow(box, this.#settings.margin), shape: 'rect' as const, kind: 'text' as const })),
    ]
    blurRegions(frame, regions, this.#settings.blur)
    this.#blurred = regions.map(({ kind, x, y, width, height }) => ({ kind, x, y, width, height }))
    this.last.faces = [...faces, ...heads]
    this.last.text = [...text, ...carried.map((box) => ({ ...box, trackId: -1, score: 1, detected: true }))]
    if ([...faces, ...text].some((box) => !box.detected)) this.#trackedOnly.add(frame.index)
    this.#stats.headRegions += heads.length
    this.#stats.turnedHeadRegions += heads.filter((head) => Math.abs(head.angle) > UPRIGHT_DEGREES).length
    this.#count(frame.index, faces.length + heads.length, text.length + carried.length)
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
    for (const index of this.#prepared.keys()) if (index <= frame.index) this.#prepared.delete(index)
    const found = await (prepared ?? this.#detectFaces(frame))
    // A keyframe runs only some tiles: a small face found on an earlier one is looked for
    // again where its track expects it, rather than coasting on until its tile comes round.
    const lost = this.#faceTracker.unmatched(frame.index, found)
    const refound = (await this.#faces.lookAgain(frame, lost)).filter((face) => face !== null)
    this.#stats.refoundFaces += refound.length
    found.push(...refound)
    return found
  }

  /**
   * The faces of people pose found whose face no face box covers: BlazeFace misses faces
   * behind goggles, under helmets, in profile or half hidden, which pose still places from the
   * body. Grown by the margin like every face.
   */
  #heads(people: SharedFrameState['people'], faces: Box[], frameIndex: number): (TrackedBox & { angle: number })[] {
    const heads: (TrackedBox & { angle: number })[] = []
    for (const person of people) {
      const head = headBox(person.keypoints)
      if (!head) continue
      if (covered(head, faces)) {
        this.#faceSeen.add(person.trackId)
        continue
      }
      if (!this.#headFrames.has(person.trackId)) this.#headFrames.set(person.trackId, new Ranges())
      this.#headFrames.get(person.trackId)!.add(frameIndex)
      heads.push({ ...grow(head, this.#settings.margin), score: head.score, trackId: -1, detected: true, angle: head.angle })
    }
    return heads
  }

  /**
   * A keyframe's faces with those of people lying or upside down looked for upright: the face
   * search, trained on upright faces, misses a turned face or boxes only part of it. Each
   * turned head is cut out turned upright and searched there; a face found replaces what the
   * search had on that head, mapped back into the frame so the tracker follows it like any face.
   */
  async #facesTurnedUpright(frame: Frame, people: SharedFrameState['people'], found: FaceDetection[]): Promise<FaceDetection[]> {
    const turned = people
      .map((person) => headBox(person.keypoints))
      .filter((head): head is HeadBox => head !== undefined && Math.abs(head.angle) > UPRIGHT_DEGREES)
      .sort((a, b) => Math.abs(b.angle) - Math.abs(a.angle))
      .slice(0, TURNED_HEADS_PER_KEYFRAME)
    if (turned.length === 0) return found
    const faces: FaceDetection[] = []
    for (const head of turned) {
      const crop = uprightCrop(frame, head, head.angle)
      // The crop is this head's: one face, centred on it (a neighbour's face at the crop's edge,
      // or a hand, is the frame search's to find).
      const best = (await this.#turnedFaces.detect(crop.frame, { tiles: [], squares: [] }))
        .map((face) => ({ box: fromUpright(crop, face), score: face.score }))
        .filter(({ box }) => centreInside(box, grow(head, TURNED_FACE_REACH)))
        .sort((a, b) => b.score - a.score)[0]
      // BlazeFace boxes eyes to mouth; the head placed from pose, sized on labelled faces,
      // reaches forehead and chin, which turned sideways the search's own box may miss.
      if (best) faces.push({ ...union(best.box, head), score: best.score, keypoints: [] })
    }
    this.#stats.headsTurnedUpright += turned.length
    this.#stats.turnedFaceDetections += faces.length
    // One face, one box: the upright look's, stretched over what the search had there.
    const same = (a: Box, b: Box) => covered(a, [b]) || centreInside(b, a)
    const kept = found.filter((face) => !faces.some((turnedFace) => same(face, turnedFace)))
    const merged = faces.map((face) => found.filter((other) => same(other, face)).reduce((box, other) => ({ ...box, ...union(box, other) }), face))
    return [...kept, ...merged]
  }

  /** Faces on a keyframe, searched as keyframePlan() says. */
  #detectFaces(frame: Frame) {
    const { tiles, squares } = this.#searchRegions(frame)
    const turn = frame.index / this.#settings.detectEvery
    return this.#search.detect(frame, keyframePlan(turn, tiles, squares, this.#settings.faces.ssdEvery))
  }

  #regions?: { width: number; height: number; tiles: Region[]; squares: Region[] }
  #searchRegions(frame: Frame) {
    if (this.#regions?.width !== frame.width || this.#regions.height !== frame.height) {
      const { width, height } = frame
      this.#regions = { width, height, tiles: this.#faces.tilesFor(width, height), squares: this.#faces.squaresFor(width, height) }
    }
    return this.#regions
  }

  /**
   * Reading text costs far more than finding faces (a zoomed pass over each person's torso),
   * so each text turn reads one person, the one read longest ago, and what it finds is carried
   * with that person until their next reading. Every (people + 1)-th turn reads the whole frame
   * instead, and one of the people the body detector finds that pose did not, each in turn
   * (their boxes are tracked on their own).
   */
  async #readText(frame: Frame, people: SharedFrameState['people']): Promise<TextDetection[]> {
    if (this.#still) {
      // One picture: every person, found by pose or by body, and the whole frame.
      const boxes = [...people.map((person) => person.box), ...(await this.#unposedPeople(frame, people))]
      const found = boxes.length ? await this.#text.detect(frame, boxes) : []
      return this.#read(addUnseen(found, await this.#text.detect(frame, undefined, boxes)))
    }
    const turn = this.#textTurn++
    if (people.length === 0 || turn % (people.length + 1) === people.length) {
      // The body detector first: on the lane it runs while the text detector runs here.
      // Names on the whole frame are looked for on pose's people (the body detector's come too late).
      const posed = people.map((person) => person.box)
      const [unposed, found] = await Promise.all([this.#unposedPeople(frame, people), this.#text.detect(frame, undefined, posed)])
      // One unposed person a turn, in turn: each costs a zoomed pass, and a crowd has many.
      if (unposed.length) {
        const chosen = unposed[this.#unposedTurn++ % unposed.length]
        this.#stats.unposedPeopleRead++
        addUnseen(found, await this.#text.detect(frame, [chosen]))
      }
      return this.#read(found)
    }
    // People never read yet go first, a few at once, so a newcomer's number is not left bare
    // while the others take their turns; otherwise the person read longest ago.
    const unread = people.filter((person) => this.#carried.readAt(person.trackId) < 0).slice(0, NEW_PEOPLE_PER_READING)
    const chosen = unread.length
      ? unread
      : [people.reduce((oldest, candidate) => (this.#carried.readAt(candidate.trackId) < this.#carried.readAt(oldest.trackId) ? candidate : oldest))]
    const found = this.#read(await this.#text.detect(frame, chosen.map((person) => person.box)))
    for (const person of chosen) {
      this.#carried.set(person.trackId, person.box, found.filter((box) => centreInside(box, person.box)), frame.index)
    }
    return []
  }

  /**
   * People the body detector finds that no pose person explains: players seen from behind or
   * with their face hidden, whom the face-led pose detector misses. Biggest first.
   */
  async #unposedPeople(frame: Frame, people: SharedFrameState['people']): Promise<Box[]> {
    const bodies = await this.#persons.detect(frame, shortSideSquares(frame.width, frame.height))
    this.#stats.bodyDetectedPeople += bodies.length
    return bodies
      .filter((body) => !people.some((person) => iou(person.box, body) > UNPOSED_MAX_IOU || centreInside(body, person.box)))
      .sort((a, b) => b.height - a.height)
  }

  #read(found: TextDetection[]) {
    this.#stats.detectedText += found.length
    this.#stats.detectedNames += found.filter((box) => box.kind === 'name').length
    this.last.read = found
    return found
  }

  #count(index: number, faces: number, text: number) {
    this.#stats.frames++
    this.#stats.faceRegions += faces
    this.#stats.textRegions += text
    const last = this.#perFrame.at(-1)
    if (last && last[1] === index - 1 && last[2] === faces && last[3] === text) last[1] = index
    else this.#perFrame.push([index, index, faces, text])
  }

  /** The QA report metadata.json carries for reviewers (docs/architecture.md, "The pipeline"). */
  async finish() {
    return {
      settings: {
        faceThreshold: this.#settings.faces.threshold,
        // Weaker detections are candidates the short-range model confirms on a crop (faces/detector.ts).
        faceSecondLook: { candidatesFrom: this.#faces.options.candidateThreshold ?? 0, confirmedAt: SECOND_LOOK_MIN },
        faceTiles: this.#settings.faces.tiles,
        // The SSD face detector's least score, and how often a video searches one of its squares.
        faceSsd: { threshold: this.#faces.options.ssdThreshold, everyKeyframes: this.#still ? 1 : this.#settings.faces.ssdEvery },
        text: this.#settings.text.mode,
        // Whole-body people (CenterNet) whose shirts are read though pose did not find them.
        bodyDetector: { threshold: this.#persons.options.threshold },
        margin: this.#settings.margin,
        blur: this.#settings.blur,
        detectEvery: this.#settings.detectEvery,
        // Frames a face stays blurred after its last detection: a round of the frame's tiles and some.
        faceTracking: { keptFrames: this.#faceTracker.options.maxMissed },
      },
      ...this.#stats,
      regionsPerFrame: { columns: ['firstFrame', 'lastFrame', 'faces', 'text'], runs: this.#perFrame },
      framesFilledByTracking: this.#trackedOnly.list,
      framesWithLowConfidence: this.#lowConfidence.list,
      framesKeptByTrackingOnly: this.#keptByTracking.list,
      peopleWithoutFace: this.#peopleWithoutFace(),
      framesWithUnclassifiedText: this.#unclassifiedText.list,
      unclassifiedTextReadings: this.#text.stats.unclassified,
      risk: riskScore({
        frames: this.#stats.frames,
        keyframes: this.#keyframes,
        fps: this.#decodeRate(),
        framesKeptByTrackingOnly: this.#keptByTracking.list,
        framesWithLowConfidence: this.#lowConfidence.list,
        peopleWithoutFace: this.#peopleWithoutFace(),
        framesWithUnclassifiedText: this.#unclassifiedText.list,
        unclassifiedTextReadings: this.#text.stats.unclassified,
      }),
    }
  }

  #peopleWithoutFace() {
    return [...this.#headFrames]
      .filter(([trackId]) => !this.#faceSeen.has(trackId))
      .map(([trackId, ranges]) => ({ trackId, frames: ranges.list }))
  }

  /** Frame indexes are the decoder's: a source below the output rate is decoded at its own. */
  #decodeRate() {
    const first = this.#firstFrame
    const last = this.#lastFrame
    if (!first || !last || last.index === first.index || last.timeMs <= first.timeMs) return this.#fps
    return ((last.index - first.index) * 1000) / (last.timeMs - first.timeMs)
  }
}

/** `found` with each of `more` added that is not one of them already (two readings of one piece of text). */
function addUnseen(found: TextDetection[], more: TextDetection[]) {
  for (const box of more) if (!found.some((other) => iou(other, box) > SAME_TEXT_IOU)) found.push(box)
  return found
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x)
  const y = Math.min(a.y, b.y)
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y }
}

/** Whether a face box already covers this head: it is that face. */
function covered(head: Box, faces: Box[]) {
  return faces.some((face) => iou(face, head) > HEAD_COVERED_IOU || centreInside(head, face))
}

function centreInside(box: Box, area: Box) {
  const x = box.x + box.width / 2
  const y = box.y + box.height / 2
  return x >= area.x && x <= area.x + area.width && y >= area.y && y <= area.y + area.height
}

/** A box grown by `margin` of its size on each side. */
function grow(box: Box, margin: number): Box {
  return {
    x: box.x - box.width * margin,
    y: box.y - box.height * margin,
    width: box.width * (1 + 2 * margin),
    height: box.height * (1 + 2 * margin),
  }
}

/**
 * Text found on a person, kept relative to their box: when the player runs, the number runs
 * with them, and stays blurred between two readings (a missed number is worse than a blurred
 * shirt). A person's text is replaced by their next reading and forgotten CARRY_FRAMES after it.
 */
export class CarriedText {
  #byTrack = new Map<number, { readAt: number; boxes: Box[] }>()

  /** When the person was last read (-1: never). */
  readAt(trackId: number) {
    return this.#byTrack.get(trackId)?.readAt ?? -1
  }

  set(trackId: number, person: Box, found: Box[], frameIndex: number) {
    const boxes = found.map((box) => ({
      x: (box.x - person.x) / person.width,
      y: (box.y - person.y) / person.height,
      width: box.width / person.width,
      height: box.height / person.height,
    }))
    this.#byTrack.set(trackId, { readAt: frameIndex, boxes })
  }

  /** The carried boxes in this frame's pixels, for the people seen in it. */
  regions(frameIndex: number, people: { trackId: number; box: Box }[]): Box[] {
    for (const [trackId, entry] of this.#byTrack) {
      if (frameIndex - entry.readAt > CARRY_FRAMES) this.#byTrack.delete(trackId)
    }
    return people.flatMap(({ trackId, box }) =>
      (this.#byTrack.get(trackId)?.boxes ?? []).map((relative) => ({
        x: box.x + relative.x * box.width,
        y: box.y + relative.y * box.height,
        width: relative.width * box.width,
        height: relative.height * box.height,
      }))
    )
  }
}

function lowConfidence(found: Detection[], threshold: number) {
  return found.some((detection) => detection.score < threshold + LOW_CONFIDENCE_MARGIN)
}
