/**
 * Faces in a frame with MediaPipe's BlazeFace models (./blazeface.ts decodes their outputs).
 *
 * The models see a small square (128 or 192 px), so a whole 1280×720 frame squeezed into it
 * loses every face under ~60 px. For wide shots the full-range model also runs on a grid of
 * overlapping tiles, each seen at a larger scale (all in one batched run), and the detections of
 * all regions are merged (see ./merge.ts).
 */
import type { Frame } from '../../pipeline/types.js'
import { letterbox } from '../../video/sample/area.js'
import { runBatch } from '../runtime/batch.js'
import { shortSideSquares } from '../geometry.js'
import type { Detection, Model } from '../types.js'
import {
  FULL_RANGE,
  SHORT_RANGE,
  decodeFaces,
  splitOutputs,
  generateAnchors,
  weightedNms,
  type Anchor,
} from './blazeface.js'
import { ssdFaces } from './ssd.js'
import { NMS_IOU, mergeRuns, sameFace, toFrame } from './merge.js'
import { MAX_TILE, OVERLAP, cropAround, place, tileGrid, type Region } from './regions.js'

export interface FaceDetectorOptions {
  /** Minimum face score, 0–1 (default 0.5). */
  threshold: number
  /** Also run the full-range model on overlapping tiles, for small faces in wide shots (default true). */
  tiles: boolean
  /** Faces smaller than this (box height in frame pixels) are dropped. */
  minFaceSize?: number
  /** Largest tile side in frame pixels (default 320: a 20 px face reaches the model at ~12 px). */
  tileSize?: number
  /**
   * Several tile grids at once, finest to coarsest: a face must lie whole in a tile of some grid
   * (faces up to a quarter of the tile size do), and at a scale the model still sees, so small
   * tiles find the smallest faces and larger ones the faces the small tiles cut. Overrides tileSize.
   */
  tileSizes?: number[]
  /**
   * Second look: detections scoring from this up to `threshold` are candidates, each looked at
   * again by the short-range model on a crop around it, where the face fills a quarter to a
   * half of the input as that model was trained for. A candidate is kept when that look scores
   * at least SECOND_LOOK_MIN (or `threshold`, if higher). 0 turns the second look off (default
   * 0.15 when there is a short-range model).
   */
  candidateThreshold?: number
  /**
   * Most candidates looked at again per full-range run of the search (the whole frame and each
   * tile), the strongest first; two short-range runs each (~1 ms apiece on two cores). The budget
   * follows the area searched: a video keyframe runs a few tiles, a still picture all of them,
   * and a crowd's true faces often score 0.15–0.2, below many of its false ones. Default 4: a
   * total of 24 missed two frontal faces of huge_crowd_selfie that a budget of 200 found, and a
   * total of 8 missed the goggled skier of ski_race_bibs.
   */
  candidatesPerRun?: number
  /**
   * Least SSD score that makes a face (with an SSD model). The SSD, trained on WIDER FACE,
   * finds the crowd faces, profiles and faces under caps BlazeFace scores low, and boxes a
   * face from brow to chin like the labels of eval/privacy. Default 0.5.
   */
  ssdThreshold?: number
}

export interface FaceModels {
  short?: Model
  full?: Model
  /** The SSD MobileNet V1 face detector (./ssd_build.ts), run on squares of the frame. */
  ssd?: Model
}

export interface FaceDetection extends Detection {
  /**
   * Six points in frame pixels: right eye, left eye, nose tip, mouth, right ear, left ear
   * (none for a face only the SSD found: it has no keypoints).
   */
  keypoints: [number, number][]
}

interface Head {
  anchors: Anchor[]
  inputSize: number
}

/**
 * With tiles, whole-frame faces under this share of the overlap are dropped: the tiles see them
 * whole at 2–3× the scale, and at the whole frame's scale such faces are a few input pixels,
 * where the model's false positives are.
 */
const WHOLE_FRAME_MIN = 0.8
/**
 * Second-look crops, as multiples of the candidate's longer side. On the faces eval/privacy
 * missed, the short-range model scored highest with the face at 1/2.5 to 1/4 of its input, and
 * which of the two varied from face to face; at 1/1.5 the face touches the crop's sides.
 */
const SECOND_LOOK_CROPS = [2.2, 3.5]
/**
 * Least short-range score on a second look that makes a candidate a face. On eval/privacy, 0.5
 * found one face more than 0.65 for 10 points of precision, and re-found a gaussian-blurred
 * head (0.62) as a face; 0.65 keeps the recall gain at 2 points of precision.
 */
export const SECOND_LOOK_MIN = 0.65
/**
 * Crop around a followed face looked for again (lookAgain), as a multiple of its predicted box's
 * longer side: the face then fills about 40% of the short-range model's input, as it was trained
 * for, with room for the prediction to be off by most of a face.
 */
const TRACK_LOOK_CROP = 2.5

/** A keyframe's face search as the anonymizer calls it: a FaceDetector, or one on a lane (../runtime/lane.ts). */
export interface FaceSearch {
  detect(frame: Frame, plan?: { tiles?: Region[]; squares?: Region[] }): Promise<FaceDetection[]>
}

export class FaceDetector implements FaceSearch {
  readonly options: FaceDetectorOptions &
    Required<Pick<FaceDetectorOptions, 'candidatesPerRun' | 'ssdThreshold'>>
  /** Model runs in the last detect() call (for timing reports). */
  lastRuns = 0
  #models: FaceModels
  #heads = new Map<Model, Head>()

  constructor(models: FaceModels, options: Partial<FaceDetectorOptions> = {}) {
    if (!models.short && !models.full)
      throw new Error('FaceDetector needs at least one BlazeFace model')
    this.#models = models
    this.options = {
      threshold: options.threshold ?? 0.5,
      tiles: options.tiles ?? true,
      minFaceSize: options.minFaceSize,
      tileSize: options.tileSize,
      tileSizes: options.tileSizes,
      // The second look needs the short-range model: without it there are no candidates.
      candidateThreshold: models.short ? (options.candidateThreshold ?? 0.15) : 0,
      candidatesPerRun: options.candidatesPerRun ?? 4,
      ssdThreshold: options.ssdThreshold ?? 0.5,
    }
  }

  /**
   * The squares the SSD runs on (empty without an SSD model; see shortSideSquares). At 512 px
   * of input a 1280×720 frame's two 720 px squares bring a 24 px crowd face to 17 px, which
   * the SSD still finds; the whole frame in one square (to 9 px) loses them.
   */
  squaresFor(width: number, height: number): Region[] {
    return this.#models.ssd ? shortSideSquares(width, height) : []
  }

  /** The tiles detect() runs on a frame of this size (empty without tiles). */
  tilesFor(width: number, height: number): Region[] {
    if (!this.options.tiles) return []
    return this.#tileSizes().flatMap((size) => tileGrid(width, height, size))
  }

  #tileSizes() {
    return this.options.tileSizes?.length
      ? this.options.tileSizes
      : [this.options.tileSize ?? MAX_TILE]
  }

  /**
   * Faces in the frame. `plan.tiles` runs only those tiles (a subset of tilesFor(): a video
   * spreads the tiles over several frames and tracks faces in between), `plan.squares` only
   * those SSD squares (of squaresFor()); by default all.
   */
  async detect(
    frame: Frame,
    plan: { tiles?: Region[]; squares?: Region[] } = {}
  ): Promise<FaceDetection[]> {
    this.lastRuns = 0
    const whole = { x: 0, y: 0, width: frame.width, height: frame.height }
    const found: FaceDetection[] = []
    const { short, full } = this.#models
    // The short-range model is trained on faces filling much of the image: it is the one that
    // finds close-ups, which the full-range model at a coarse scale can miss.
    const tileSize = Math.max(...this.#tileSizes())
    const grid = this.tilesFor(frame.width, frame.height)
    const tiles = plan.tiles ?? grid
    const wholeMin = grid.length > 0 ? WHOLE_FRAME_MIN * Math.round(tileSize * OVERLAP) : 0
    const large = (faces: FaceDetection[]) =>
      faces.filter((face) => Math.max(face.width, face.height) >= wholeMin)
    if (short) {
      const [shortFaces] = await this.#run(short, SHORT_RANGE, frame, [whole])
      found.push(...large(shortFaces))
    }
    const wide = full ?? short!
    const config = full ? FULL_RANGE : SHORT_RANGE
    if (full || tiles.length > 0) {
      const [first, ...rest] = await this.#run(
        wide,
        config,
        frame,
        full ? [whole, ...tiles] : tiles
      )
      found.push(...(full ? large(first) : first))
      for (const faces of rest) found.push(...faces)
    }
    const threshold = this.options.threshold
    // Merged strongest first, so a weak box on a face already kept is gone before it is a candidate.
    const merged = mergeRuns(found)
    const faces = merged.filter((face) => face.score >= threshold)
    const candidates = merged.filter((face) => face.score < threshold)
    if (short && candidates.length > 0) {
      // A second look that lands on a face already kept is that face, not a new one.
      const budget = this.options.candidatesPerRun * (1 + tiles.length)
      const confirmed = await this.#secondLook(short, frame, candidates, budget)
      faces.push(...confirmed.filter((face) => !faces.some((kept) => sameFace(face, kept))))
    }
    const squares = plan.squares ?? this.squaresFor(frame.width, frame.height)
    // Where BlazeFace and the SSD both box a face, the better score wins (mergeRuns): BlazeFace
    // boxes a frontal face tightly, the SSD a face under a cap or behind a hand, which
    // BlazeFace often boxes at the chin or the hand.
    if (this.#models.ssd && squares.length > 0) {
      this.lastRuns++
      faces.push(...(await ssdFaces(this.#models.ssd, frame, squares, this.options.ssdThreshold)))
    }
    const min = this.options.minFaceSize ?? 0
    return mergeRuns(faces).filter((face) => face.height >= min && face.width > 0)
  }

  /**
   * The candidates the short-range model confirms on a crop around each: BlazeFace full range
   * at a tile's scale scores crowd faces, faces looking down and faces under caps at 0.1–0.3,
   * while the short-range model, shown the face at the size it was trained on, scores many of
   * them above SECOND_LOOK_MIN; on shirts, hands and background it mostly stays below.
   */
  async #secondLook(
    model: Model,
    frame: Frame,
    candidates: FaceDetection[],
    budget: number
  ): Promise<FaceDetection[]> {
    const chosen = [...candidates].sort((a, b) => b.score - a.score).slice(0, budget)
    const looks = await this.#lookAround(
      model,
      frame,
      chosen,
      SECOND_LOOK_CROPS,
      Math.max(this.options.threshold, SECOND_LOOK_MIN)
    )
    return looks.filter((face) => face !== null)
  }

  /**
   * Faces a tracker follows that this keyframe's search did not find (their tile was not run,
   * or the full-range model scored them low this time), looked for again by the short-range
   * model on a crop around where the tracker expects each: a face seen a moment ago is most
   * likely still there, so the blur threshold is enough. In `boxes`' order; null where no face
   * was found (everywhere without a short-range model).
   */
  async lookAgain(frame: Frame, boxes: Region[]): Promise<(FaceDetection | null)[]> {
    const short = this.#models.short
    if (!short || boxes.length === 0) return boxes.map(() => null)
    return this.#lookAround(short, frame, boxes, [TRACK_LOOK_CROP], this.options.threshold)
  }

  /** The best face each of `boxes` is, on crops of `factors` times its size around it (null where none). */
  async #lookAround(
    model: Model,
    frame: Frame,
    boxes: Region[],
    factors: number[],
    threshold: number
  ) {
    const regions = boxes.flatMap((box) => factors.map((k) => cropAround(box, k, frame)))
    const looks = await this.#run(model, SHORT_RANGE, frame, regions, threshold)
    return boxes.map((box, i) => {
      const seen = looks
        .slice(i * factors.length, (i + 1) * factors.length)
        .flat()
        .filter((face) => sameFace(face, box))
      return seen.sort((a, b) => b.score - a.score)[0] ?? null
    })
  }

  /** Detections per region, in frame pixels. */
  async #run(
    model: Model,
    config: typeof SHORT_RANGE,
    frame: Frame,
    regions: Region[],
    threshold = this.#decodeThreshold()
  ): Promise<FaceDetection[][]> {
    const size = config.inputSize
    const placements = regions.map((region) => place(region, size, frame))
    const inputs = placements.map((placement) => letterbox(frame, placement, size))
    const output = await this.#infer(model, inputs, [size, size, 3])
    const results: FaceDetection[][] = placements.map(() => [])
    const { regressors, scores, count } = splitOutputs(output)
    const head = this.#head(model, regressors.dims[1], config)
    for (let b = 0; b < count; b++) {
      const raw = decodeFaces(
        regressors.data,
        scores.data,
        head.anchors,
        head.inputSize,
        threshold,
        b
      )
      // Faces above the blur threshold are suppressed among themselves first, so weaker boxes
      // decoded for the second look never shift a box that is blurred either way.
      const strong = weightedNms(
        raw.filter((face) => face.score >= this.options.threshold),
        NMS_IOU
      )
      const weak = weightedNms(
        raw.filter((face) => face.score < this.options.threshold),
        NMS_IOU
      )
      results[b] = [...strong, ...weak].flatMap((face) =>
        toFrame(face, placements[b], head.inputSize)
      )
    }
    return results
  }

  /** SSD faces per square, in frame pixels. */
  #decodeThreshold() {
    const candidate = this.options.candidateThreshold ?? 0
    return candidate > 0 ? Math.min(candidate, this.options.threshold) : this.options.threshold
  }

  #infer(model: Model, inputs: Float32Array[], itemDims: number[]) {
    this.lastRuns++
    return runBatch(model, inputs, itemDims)
  }

  #head(model: Model, anchorCount: number, config: typeof SHORT_RANGE): Head {
    let head = this.#heads.get(model)
    if (!head) {
      const known =
        [SHORT_RANGE, FULL_RANGE].find((c) => generateAnchors(c).length === anchorCount) ?? config
      const anchors = generateAnchors(known)
      if (anchors.length !== anchorCount) {
        throw new Error(
          `${model.name}: ${anchorCount} anchors in its output, BlazeFace has 896 (short) or 2304 (full)`
        )
      }
      head = { anchors, inputSize: known.inputSize }
      this.#heads.set(model, head)
    }
    return head
  }
}
