import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { REGIONS_SCHEMA } from './version.js'
import type { BlurredRegion } from './types.js'

/**
 * regions.json: the regions the processors blurred, as reviewers need them to check the
 * anonymization (drawn over the video on the moderation page), small enough to fetch whole:
 * frames where nothing was blurred are left out, boxes are clipped to the frame and rounded to
 * whole pixels, and each region is a row `[kind, x, y, w, h]`. An entry's `index` is the first
 * output frame showing that decoded frame and `count` how many output frames do (more than one
 * only for a source slower than the output rate).
 */
export class RegionsWriter {
  #stream: WriteStream
  #first = true

  constructor(
    path: string,
    private width: number,
    private height: number
  ) {
    this.#stream = createWriteStream(path)
    this.#stream.on('error', () => {})
  }

  begin(header: { clipId: string; fps: number }) {
    const head = {
      schema: REGIONS_SCHEMA,
      ...header,
      width: this.width,
      height: this.height,
      columns: ['kind', 'x', 'y', 'w', 'h'],
    }
    this.#stream.write(JSON.stringify(head).slice(0, -1) + ',"frames":[\n')
  }

  async frame(from: number, to: number, blurred: BlurredRegion[]) {
    if (to <= from) return
    const rows: [string, number, number, number, number][] = []
    for (const region of blurred) {
      const x0 = Math.max(0, Math.round(region.x))
      const y0 = Math.max(0, Math.round(region.y))
      const x1 = Math.min(this.width, Math.round(region.x + region.width))
      const y1 = Math.min(this.height, Math.round(region.y + region.height))
      if (x1 > x0 && y1 > y0) rows.push([region.kind, x0, y0, x1 - x0, y1 - y0])
    }
    if (rows.length === 0) return
    const line = `${this.#first ? '' : ',\n'}{"index":${from},"count":${to - from},"regions":${JSON.stringify(rows)}}`
    this.#first = false
    if (!this.#stream.write(line)) await once(this.#stream, 'drain')
  }

  async end(frameCount: number) {
    this.#stream.end(`\n],"frameCount":${frameCount}}\n`)
    await once(this.#stream, 'finish')
  }

  destroy() {
    this.#stream.destroy()
  }
}
