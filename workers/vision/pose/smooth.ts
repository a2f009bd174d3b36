/**
 * Keypoint jitter removal: a One Euro filter (Casiez et al., CHI 2012) per coordinate, as
 * MediaPipe smooths its pose landmarks. It low-passes hard while a point is still (no jitter)
 * and opens up as it moves (little lag): the cutoff rises with the filtered speed.
 */
import { keypointBox } from './landmarks.js'

export interface OneEuroOptions {
  /** Cutoff (Hz) at rest: lower removes more jitter from still points, with more lag. */
  minCutoff: number
  /** How fast the cutoff rises with speed (per unit of speed, see `KeypointSmoother`). */
  beta: number
  /** Cutoff (Hz) of the speed estimate itself. */
  dCutoff: number
}

export class OneEuroFilter {
  readonly options: OneEuroOptions
  #value: number | undefined
  #speed = 0
  #timeMs = 0

  constructor(options: Partial<OneEuroOptions> = {}) {
    this.options = {
      minCutoff: options.minCutoff ?? 1,
      beta: options.beta ?? 0,
      dCutoff: options.dCutoff ?? 1,
    }
  }

  /**
   * The filtered value of `value` seen at `timeMs`. `speedScale` divides the speed before it
   * moves the cutoff, so one `beta` suits people of any size on screen.
   */
  filter(value: number, timeMs: number, speedScale = 1): number {
    const dt = (timeMs - this.#timeMs) / 1000
    if (this.#value === undefined || !(dt > 0)) {
      // The first sample, or time that did not advance (a repeated frame): nothing to filter with.
      if (this.#value === undefined || dt < 0) this.reset()
      if (this.#value === undefined) {
        this.#value = value
        this.#timeMs = timeMs
      }
      return this.#value
    }
    const speed = (value - this.#value) / dt
    this.#speed += alpha(this.options.dCutoff, dt) * (speed - this.#speed)
    const cutoff = this.options.minCutoff + this.options.beta * Math.abs(this.#speed / speedScale)
    this.#value += alpha(cutoff, dt) * (value - this.#value)
    this.#timeMs = timeMs
    return this.#value
  }

  reset() {
    this.#value = undefined
    this.#speed = 0
  }
}

function alpha(cutoff: number, dt: number) {
  const tau = 1 / (2 * Math.PI * cutoff)
  return 1 / (1 + tau / dt)
}

export interface SmootherOptions extends OneEuroOptions {
  /** A track unseen this long is forgotten; when it comes back it starts afresh. */
  forgetAfterMs: number
}

/**
 * MediaPipe's pose landmark settings: speed is measured in person sizes per second (the box
 * around the keypoints), so the same settings fit a player near or far from the camera.
 */
export const DEFAULT_SMOOTHING: SmootherOptions = {
  minCutoff: 0.05,
  beta: 80,
  dCutoff: 1,
  forgetAfterMs: 1000,
}

interface Track {
  lastMs: number
  filters: OneEuroFilter[]
}

/** One Euro filters for each tracked person's keypoints, keyed by track id. */
export class KeypointSmoother {
  readonly options: SmootherOptions
  #tracks = new Map<number, Track>()

  constructor(options: Partial<SmootherOptions> = {}) {
    this.options = { ...DEFAULT_SMOOTHING, ...options }
  }

  /** Smoothed copies of `keypoints` (x, y filtered; visibility passed through). */
  smooth(
    trackId: number,
    timeMs: number,
    keypoints: [number, number, number][]
  ): [number, number, number][] {
    this.#forget(timeMs)
    let track = this.#tracks.get(trackId)
    if (!track || track.filters.length !== keypoints.length * 2 || timeMs < track.lastMs) {
      track = {
        lastMs: timeMs,
        filters: keypoints.flatMap(() => [
          new OneEuroFilter(this.options),
          new OneEuroFilter(this.options),
        ]),
      }
      this.#tracks.set(trackId, track)
    }
    track.lastMs = timeMs
    const scale = personSize(keypoints)
    const filters = track.filters
    return keypoints.map(([x, y, visibility], i) => [
      filters[2 * i].filter(x, timeMs, scale),
      filters[2 * i + 1].filter(y, timeMs, scale),
      visibility,
    ])
  }

  /** Drops a track now (e.g. the tracker ended it). */
  drop(trackId: number) {
    this.#tracks.delete(trackId)
  }

  get size() {
    return this.#tracks.size
  }

  #forget(nowMs: number) {
    for (const [id, track] of this.#tracks) {
      if (
        nowMs - track.lastMs > this.options.forgetAfterMs ||
        nowMs < track.lastMs - this.options.forgetAfterMs
      )
        this.#tracks.delete(id)
    }
  }
}

/** The larger side of the keypoints' box, at least one pixel. */
function personSize(keypoints: [number, number, number][]) {
  const box = keypointBox(keypoints, 0)
  return Math.max(1, box.width, box.height)
}
