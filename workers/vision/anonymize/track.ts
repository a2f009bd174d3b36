/**
 * Follows boxes (faces, text, people) from frame to frame, so that anonymization keeps a region
 * covered when the detector misses it for a few frames or only runs on some frames, and so that
 * each region keeps one id. Boxes between detections are predicted with a constant-velocity
 * model for a few frames, then held; returned boxes are grown by a margin, more while a track is
 * only predicted, because a region that shows a face for even one frame defeats the blur.
 */
import type { Box, Detection } from '../types.js'
import { iou } from '../geometry.js'
export { iou }

export interface TrackedBox extends Box {
  trackId: number
  score: number
  /** True when a detection was matched to this track at this very frame. */
  detected: boolean
}

export interface BoxTrackerOptions {
  /** Minimum IoU between a track's predicted box and a detection to match them (default 0.3). */
  iouThreshold: number
  /** Frames a track lives on after its last detection, predicted (default 15). */
  maxMissed: number
  /** Each returned box grows by this fraction of its size on every side (default 0.2: face boxes end at brows and chin). */
  margin: number
  /** 0–1: how much of the prediction is kept when a detection arrives (0 = raw detections; default 0.3). */
  smoothing: number
}

export interface TrackerStats {
  /** Tracks ever started. */
  tracks: number
  /** Tracks alive now. */
  active: number
  /** Detections handed to update(). */
  detections: number
  /** Boxes returned while their track had no detection at that frame. */
  predicted: number
  /** Most tracks alive at once. */
  maxActive: number
}

interface Track {
  id: number
  /** Smoothed box at `frame`, centre form. */
  cx: number
  cy: number
  w: number
  h: number
  /** Per-frame change of the centre and size. */
  vx: number
  vy: number
  vw: number
  vh: number
  /** Frame of the last detection. */
  frame: number
  score: number
  hits: number
}

/** Extra margin per predicted frame, up to COAST_MARGIN_MAX, as the prediction grows less certain. */
const COAST_MARGIN_STEP = 0.03
const COAST_MARGIN_MAX = 0.3
/**
 * A coasting box moves at its track's velocity for at most this many frames after the last
 * detection, then holds still (its coast margin still growing). A velocity taken from two
 * detections a keyframe apart is mostly their jitter: carried on for a whole tile round it drove
 * boxes off the frame and blew them up past 150 px (eval:tracking at every 2nd frame: 62.2 % of
 * the reference faces hidden with no limit, 65.0 % with this one and COAST_GROWTH_MAX).
 */
const COAST_VELOCITY_FRAMES = 3
/** A coasting box grows to at most this many times its size at the last detection. */
const COAST_GROWTH_MAX = 1.3
/** How fast a new velocity measurement replaces the old one. */
const VELOCITY_GAIN = 0.6
/** A detection whose centre is within this many box sizes of a prediction may match without overlap. */
const CENTRE_GATE = 2

export class BoxTracker {
  readonly options: BoxTrackerOptions
  #tracks: Track[] = []
  #nextId = 1
  #stats: TrackerStats = { tracks: 0, active: 0, detections: 0, predicted: 0, maxActive: 0 }
  /** The track id each detection of the last update() went to, in the detections' order. */
  assigned: number[] = []

  constructor(options: Partial<BoxTrackerOptions> = {}) {
    this.options = {
      iouThreshold: options.iouThreshold ?? 0.3,
      maxMissed: options.maxMissed ?? 15,
      margin: options.margin ?? 0.2,
      smoothing: Math.min(Math.max(options.smoothing ?? 0.3, 0), 0.95),
    }
  }

  /** Matches `detections` (found at `frameIndex`) to tracks and returns every live box at that frame. */
  update(frameIndex: number, detections: Detection[]): TrackedBox[] {
    this.#expire(frameIndex)
    this.#stats.detections += detections.length
    const predicted = this.#tracks.map((track) => predictBox(track, frameIndex))
    const pairs: { track: number; detection: number; affinity: number }[] = []
    for (let t = 0; t < this.#tracks.length; t++) {
      for (const [d, detection] of detections.entries()) {
        const affinity = this.#affinity(predicted[t], detection, frameIndex - this.#tracks[t].frame)
        if (affinity > 0) pairs.push({ track: t, detection: d, affinity })
      }
    }
    // Greedy on the best overlaps first: with predicted boxes, crossing tracks overlap their own
    // detection more than the other's, which is what keeps their ids apart.
    pairs.sort((a, b) => b.affinity - a.affinity)
    const trackUsed = new Set<number>()
    const detectionUsed = new Set<number>()
    this.assigned = []
    for (const pair of pairs) {
      if (trackUsed.has(pair.track) || detectionUsed.has(pair.detection)) continue
      trackUsed.add(pair.track)
      detectionUsed.add(pair.detection)
      this.#correct(
        this.#tracks[pair.track],
        predicted[pair.track],
        detections[pair.detection],
        frameIndex
      )
      this.assigned[pair.detection] = this.#tracks[pair.track].id
    }
    detections.forEach((detection, d) => {
      if (!detectionUsed.has(d)) this.assigned[d] = this.#start(detection, frameIndex)
    })
    this.#stats.active = this.#tracks.length
    this.#stats.maxActive = Math.max(this.#stats.maxActive, this.#tracks.length)
    return this.#boxes(frameIndex)
  }

  /** Every live box at `frameIndex` from the motion model alone (frames the detector skipped). */
  predict(frameIndex: number): TrackedBox[] {
    this.#expire(frameIndex)
    this.#stats.active = this.#tracks.length
    return this.#boxes(frameIndex)
  }

  /**
   * Where the tracker expects each live track at `frameIndex` that none of `detections` would
   * match (before margins): the boxes to look for again before update().
   */
  unmatched(frameIndex: number, detections: Detection[]): Box[] {
    return this.#tracks
      .filter((track) => frameIndex - track.frame <= this.options.maxMissed)
      .map((track) => ({ box: predictBox(track, frameIndex), elapsed: frameIndex - track.frame }))
      .filter(
        ({ box, elapsed }) =>
          !detections.some((detection) => this.#affinity(box, detection, elapsed) > 0)
      )
      .map(({ box }) => box)
  }

  get stats(): TrackerStats {
    return { ...this.#stats }
  }

  #affinity(prediction: Box, detection: Detection, elapsed: number) {
    const overlap = iou(prediction, detection)
    if (overlap >= this.options.iouThreshold) return 1 + overlap
    // Small, fast boxes move more than their own size between detections: match on centre
    // distance when the sizes agree, ranked below every real overlap.
    const size = Math.max(prediction.width, prediction.height, detection.width, detection.height)
    const ratio =
      (detection.width * detection.height) / Math.max(prediction.width * prediction.height, 1e-9)
    if (ratio < 0.4 || ratio > 2.5) return 0
    const dx = prediction.x + prediction.width / 2 - (detection.x + detection.width / 2)
    const dy = prediction.y + prediction.height / 2 - (detection.y + detection.height / 2)
    const distance = Math.hypot(dx, dy) / size
    // The longer a track went unseen, the further its prediction may be off.
    const gate = CENTRE_GATE * Math.sqrt(Math.max(1, elapsed))
    return distance < gate ? 1 - distance / gate : 0
  }

  #correct(track: Track, prediction: Box, detection: Detection, frameIndex: number) {
    const dt = Math.max(1, frameIndex - track.frame)
    const keep = this.options.smoothing
    const mix = (predicted: number, measured: number) => keep * predicted + (1 - keep) * measured
    const cx = mix(prediction.x + prediction.width / 2, detection.x + detection.width / 2)
    const cy = mix(prediction.y + prediction.height / 2, detection.y + detection.height / 2)
    const w = mix(prediction.width, detection.width)
    const h = mix(prediction.height, detection.height)
    const blend = (old: number, measured: number) =>
      track.hits === 1 ? measured : old + VELOCITY_GAIN * (measured - old)
    track.vx = blend(track.vx, (cx - track.cx) / dt)
    track.vy = blend(track.vy, (cy - track.cy) / dt)
    track.vw = blend(track.vw, (w - track.w) / dt)
    track.vh = blend(track.vh, (h - track.h) / dt)
    Object.assign(track, { cx, cy, w, h, frame: frameIndex, score: detection.score })
    track.hits++
  }

  #start(detection: Detection, frameIndex: number) {
    const id = this.#nextId++
    this.#tracks.push({
      id,
      cx: detection.x + detection.width / 2,
      cy: detection.y + detection.height / 2,
      w: detection.width,
      h: detection.height,
      vx: 0,
      vy: 0,
      vw: 0,
      vh: 0,
      frame: frameIndex,
      score: detection.score,
      hits: 1,
    })
    this.#stats.tracks++
    return id
  }

  #expire(frameIndex: number) {
    this.#tracks = this.#tracks.filter(
      (track) => frameIndex - track.frame <= this.options.maxMissed
    )
  }

  #boxes(frameIndex: number): TrackedBox[] {
    return this.#tracks.map((track) => {
      const missed = Math.max(0, frameIndex - track.frame)
      const detected = missed === 0
      if (!detected) this.#stats.predicted++
      const box = predictBox(track, frameIndex)
      const margin = this.options.margin + Math.min(COAST_MARGIN_MAX, COAST_MARGIN_STEP * missed)
      return {
        trackId: track.id,
        score: track.score,
        detected,
        x: box.x - margin * box.width,
        y: box.y - margin * box.height,
        width: box.width * (1 + 2 * margin),
        height: box.height * (1 + 2 * margin),
      }
    })
  }
}

/**
 * The track's box at `frameIndex`, moved and resized at its velocity for up to
 * COAST_VELOCITY_FRAMES frames, between a quarter and COAST_GROWTH_MAX times its size.
 */
function predictBox(track: Track, frameIndex: number): Box {
  const dt = Math.min(frameIndex - track.frame, COAST_VELOCITY_FRAMES)
  const w = Math.min(track.w * COAST_GROWTH_MAX, Math.max(track.w * 0.25, track.w + track.vw * dt))
  const h = Math.min(track.h * COAST_GROWTH_MAX, Math.max(track.h * 0.25, track.h + track.vh * dt))
  return {
    x: track.cx + track.vx * dt - w / 2,
    y: track.cy + track.vy * dt - h / 2,
    width: w,
    height: h,
  }
}
