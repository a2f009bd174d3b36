/**
 * Turns step-local fractions into one 0–100 figure that never goes back and is reported at
 * most a few times a second (a BullMQ progress update is a Redis round trip).
 */
import type { StepName } from './types.js'

/** Where each step starts and ends on the 0–100 scale. */
export const STEP_RANGES: Record<StepName, [number, number]> = {
  probe: [0, 2],
  standardize: [2, 90],
  thumbnail: [90, 92],
  preview: [92, 98],
  metadata: [98, 100],
}

export class ProgressReporter {
  #last = -1
  #lastAt = 0
  #report?: (percent: number) => void
  #intervalMs: number

  constructor(report?: (percent: number) => void, intervalMs = 250) {
    this.#report = report
    this.#intervalMs = intervalMs
  }

  /** `fraction` of `step` done (clamped to 0–1). */
  step(step: StepName, fraction: number) {
    const [from, to] = STEP_RANGES[step]
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
    this.set(from + (to - from) * clamped)
  }

  set(percent: number) {
    const value = Math.min(100, Math.max(0, Math.floor(percent)))
    if (value <= this.#last) return
    const now = Date.now()
    if (value < 100 && now - this.#lastAt < this.#intervalMs) return
    this.#last = value
    this.#lastAt = now
    this.#report?.(value)
  }
}
