import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { KEYPOINTS_SCHEMA } from './version.js'
import type { PersonKeypoints } from './types.js'

/**
 * keypoints.json written frame by frame. `frameCount` is only known at the end, so the header
 * fields are written first and `frameCount` is the last key of the object.
 */
export class KeypointsWriter {
  #stream: WriteStream
  #first = true
  #tracks = new Set<number>()
  #framesWithPeople = 0

  /** Distinct track ids and frames with at least one person, as written. */
  get counts() {
    return { people: this.#tracks.size, framesWithPeople: this.#framesWithPeople }
  }

  constructor(path: string) {
    this.#stream = createWriteStream(path)
    this.#stream.on('error', () => {})
  }

  begin(header: { clipId: string; fps: number; width: number; height: number }) {
    const head = { schema: KEYPOINTS_SCHEMA, ...header, keypointFormat: 'blazepose-33' }
    this.#stream.write(JSON.stringify(head).slice(0, -1) + ',"frames":[\n')
  }

  /** Output frames `from` to `to` (excluded), at `fps`, all with the same people. */
  async frames(from: number, to: number, fps: number, people: PersonKeypoints[]) {
    if (to <= from) return
    if (people.length) this.#framesWithPeople += to - from
    for (const person of people)
      if (typeof person.trackId === 'number') this.#tracks.add(person.trackId)
    const list = JSON.stringify(people)
    let lines = ''
    for (let index = from; index < to; index++) {
      lines += `${this.#first ? '' : ',\n'}{"index":${index},"timeMs":${Math.round((index * 1000) / fps)},"people":${list}}`
      this.#first = false
    }
    if (!this.#stream.write(lines)) await once(this.#stream, 'drain')
  }

  async end(frameCount: number) {
    this.#stream.end(`\n],"frameCount":${frameCount}}\n`)
    await once(this.#stream, 'finish')
  }

  destroy() {
    this.#stream.destroy()
  }
}
