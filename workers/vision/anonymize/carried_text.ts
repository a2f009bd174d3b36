import type { Box } from '../types.js'

/** Text carried with a person is kept this many frames after their last reading. */
const CARRY_FRAMES = 90

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
