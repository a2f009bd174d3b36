/**
 * PP-OCRv4 text recognition: a line crop 48 px high becomes one column of character
 * probabilities every 8 px (CTC), decoded greedily against PaddleOCR's dictionary.
 */
import { readFile } from 'node:fs/promises'
import type { Frame } from '../../pipeline/types.js'
import { toRgb } from '../../video/sample/crop.js'
import type { Box, Model, Tensor } from '../types.js'
import { clipBox } from './detect.js'

/** The recogniser's fixed input height. */
export const RECOGNIZER_HEIGHT = 48
/** One output column per 8 input columns. */
const RECOGNIZER_STRIDE = 8

export interface RecognizeOptions {
  /** Widest input in pixels (PaddleOCR: 320); wider lines are squeezed, which shirt numbers never are. */
  maxWidth: number
  /** Padding around each box, as a fraction of its height (the detector's box can clip a stroke). */
  padding: number
  /** Boxes per model run: one batch shares the widest member's width. */
  batchSize: number
  /** Narrowest input in pixels (wider padding was tried on the shared images and read no better). */
  minWidth: number
}

export const DEFAULT_RECOGNIZE_OPTIONS: RecognizeOptions = {
  maxWidth: 320,
  padding: 0.1,
  batchSize: 8,
  minWidth: 16,
}

export interface Recognition {
  text: string
  /** Mean probability of the kept characters (0 for empty text). */
  score: number
}

/** The lines of PaddleOCR's dictionary file (one character a line), in order. */
export async function loadDictionary(path: string): Promise<string[]> {
  const contents = await readFile(path, 'utf8')
  const lines = contents.split('\n').map((line) => line.replace(/\r$/, ''))
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/**
 * The dictionary as the recogniser's classes: index 0 is the CTC blank, then one entry per line
 * of the file, then a space (PaddleOCR's `use_space_char`).
 */
export function ctcClasses(lines: readonly string[]) {
  return ['', ...lines, ' ']
}

/**
 * Greedy CTC decoding of one sequence (`steps × classes` probabilities starting at `offset`):
 * the best class per step, repeats merged, blanks dropped.
 */
export function ctcDecode(
  probs: Float32Array,
  steps: number,
  classes: number,
  dictionary: readonly string[],
  offset = 0
): Recognition {
  let text = ''
  let sum = 0
  let kept = 0
  let previous = -1
  for (let t = 0; t < steps; t++) {
    const base = offset + t * classes
    let best = 0
    let bestProb = probs[base]
    for (let c = 1; c < classes; c++) {
      if (probs[base + c] > bestProb) {
        best = c
        bestProb = probs[base + c]
      }
    }
    if (best !== 0 && best !== previous) {
      text += dictionary[best] ?? ''
      sum += bestProb
      kept++
    }
    previous = best
  }
  return { text, score: kept ? sum / kept : 0 }
}

/** Recogniser input width for a crop of `width × height`: keeps the aspect, multiple of 8, capped. */
export function recognizerWidth(width: number, height: number, maxWidth: number) {
  const scaled =
    Math.ceil((RECOGNIZER_HEIGHT * width) / Math.max(1, height) / RECOGNIZER_STRIDE) *
    RECOGNIZER_STRIDE
  return Math.min(maxWidth, Math.max(RECOGNIZER_STRIDE * 2, scaled))
}

/**
 * Reads the text in each box of `frame`; the result is in the order of `boxes`. Boxes are run in
 * batches of similar width, so narrow shirt numbers are not padded to a wide sponsor line.
 */
export async function recognize(
  model: Model,
  dictionary: readonly string[],
  frame: Pick<Frame, 'width' | 'height' | 'data'>,
  boxes: readonly Box[],
  options: Partial<RecognizeOptions> = {}
): Promise<Recognition[]> {
  const { maxWidth, padding, batchSize, minWidth } = { ...DEFAULT_RECOGNIZE_OPTIONS, ...options }
  const results: Recognition[] = boxes.map(() => ({ text: '', score: 0 }))
  const crops = boxes
    .map((box, index) => {
      const pad = box.height * padding
      const crop = clipBox(
        {
          x: box.x - pad,
          y: box.y - pad,
          width: box.width + 2 * pad,
          height: box.height + 2 * pad,
        },
        frame.width,
        frame.height
      )
      return crop && { index, crop, width: recognizerWidth(crop.width, crop.height, maxWidth) }
    })
    .filter((entry) => entry !== null)
    .sort((a, b) => a.width - b.width)
  const input = model.inputNames[0]
  const output = model.outputNames[0]
  for (let start = 0; start < crops.length; start += batchSize) {
    const batch = crops.slice(start, start + batchSize)
    const width = Math.max(minWidth, batch[batch.length - 1].width)
    const tensor = recognizerInput(frame, batch, width)
    const outputs = await model.run({ [input]: tensor })
    const result = outputs[output]
    const [, steps, classes] = result.dims
    batch.forEach((entry, n) => {
      results[entry.index] = ctcDecode(result.data, steps, classes, dictionary, n * steps * classes)
    })
  }
  return results
}

/** A byte scaled to −1…1, for each byte. */
const SIGNED = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1)

function recognizerInput(
  frame: Pick<Frame, 'width' | 'height' | 'data'>,
  batch: readonly { crop: Box; width: number }[],
  inputWidth: number
): Tensor {
  const plane = RECOGNIZER_HEIGHT * inputWidth
  const data = new Float32Array(batch.length * 3 * plane)
  batch.forEach(({ crop, width }, n) => {
    const rgb = toRgb(frame, crop, { width, height: RECOGNIZER_HEIGHT }, { sampling: 'bilinear' })
    const base = n * 3 * plane
    for (let row = 0; row < RECOGNIZER_HEIGHT; row++) {
      let i = row * width * 3
      let o = base + row * inputWidth
      for (let col = 0; col < width; col++, i += 3, o++) {
        // BGR, scaled to -1…1; the right-hand padding stays 0 (mid grey), as in PaddleOCR.
        data[o] = SIGNED[rgb[i + 2]]
        data[o + plane] = SIGNED[rgb[i + 1]]
        data[o + 2 * plane] = SIGNED[rgb[i]]
      }
    }
  })
  return { data, dims: [batch.length, 3, RECOGNIZER_HEIGHT, inputWidth] }
}
