/**
 * The independent detectors (./independent.py: OpenCV Haar cascades, tesseract) run over the
 * input and output PNGs, to find faces, numbers and names that survived the blur.
 */
import type { Box } from '../../workers/vision/types.js'
import { run } from './run_child.js'

const python = process.env.ATHERA_EVAL_PYTHON ?? '/usr/bin/python3'
const script = new URL('independent.py', import.meta.url).pathname

export interface IndependentImage {
  path: string
  faces: Box[]
  numbers: (Box & { text: string; digits: string; conf: number })[]
  /** Words of 3+ letters and no digit, in capitals (`letters`). */
  words?: (Box & { text: string; letters: string; conf: number })[]
}

export async function independent(paths: string[]) {
  const out = await run(python, [script, ...paths])
  const images = (JSON.parse(out.toString('utf8')) as { images: IndependentImage[] }).images
  return new Map(images.map((image) => [image.path, image]))
}
