/**
 * People found by their whole body: CenterNet with a MobileNetV3 backbone, trained on COCO
 * (human-models' `centernet`, converted from its TF.js graph by ../convert/tfjs/graph.ts). The pose
 * detector, BlazePose's, is led by the face: a player seen from behind, or with the ball or an
 * arm in front of their face, has no pose and so no person box for the text reader, and those are
 * the players whose shirt numbers show. This detector gives those players their box.
 *
 * The model takes NHWC RGB in 0–255 at 512×512 and returns, on a 128×128 grid (stride 4), a
 * sigmoid heatmap per COCO class (`tower_0/keypoints`, 80 channels; person is the first) and,
 * per cell, the distances from the cell to the box's left, top, right and bottom edges in input
 * pixels (`tower_0/wh`). An object is a heatmap peak: a cell no neighbour outscores.
 */
import type { Frame } from '../../pipeline/types.js'
import { letterbox } from '../../video/sample/area.js'
import { place, type Placement } from '../faces/regions.js'
import { runBatch } from '../runtime/batch.js'
import { iou } from '../geometry.js'
import type { Box, Detection, Model } from '../types.js'

export const CENTERNET_INPUT = 512
/** Input pixels per heatmap cell. */
const STRIDE = 4
/** COCO's class order: person first. */
export const PERSON_CLASS = 0
export const CENTERNET_OUTPUTS = { heatmap: 'tower_0/keypoints', sizes: 'tower_0/wh' }

/**
 * The peaks of class `classIndex` at or above `threshold` in one image's outputs (`heatmap`:
 * side × side × classes, `sizes`: side × side × 4, both starting at `offset` cells), as boxes
 * in input pixels, best first.
 */
export function decodeCenterNet(
  heatmap: Float32Array,
  sizes: Float32Array,
  options: { side: number; classes: number; classIndex: number; threshold: number; offset?: number }
): Detection[] {
  const { side, classes, classIndex, threshold } = options
  const offset = options.offset ?? 0
  const score = (row: number, col: number) =>
    heatmap[(offset + row * side + col) * classes + classIndex]
  const found: Detection[] = []
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const value = score(row, col)
      if (value < threshold) continue
      let peak = true
      for (let dy = -1; dy <= 1 && peak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const r = row + dy
          const c = col + dx
          if ((dy || dx) && r >= 0 && c >= 0 && r < side && c < side && score(r, c) > value) {
            peak = false
            break
          }
        }
      }
      if (!peak) continue
      const s = (offset + row * side + col) * 4
      const x0 = col * STRIDE - sizes[s]
      const y0 = row * STRIDE - sizes[s + 1]
      const x1 = col * STRIDE + sizes[s + 2]
      const y1 = row * STRIDE + sizes[s + 3]
      if (x1 > x0 && y1 > y0)
        found.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0, score: value })
    }
  }
  return found.sort((a, b) => b.score - a.score)
}

/**
 * Boxes best first, each dropped when a better one overlaps it by `maxIou`: neighbouring
 * heatmap cells of one player, and one player seen by two overlapping squares.
 */
export function suppress<T extends Detection>(boxes: T[], maxIou: number): T[] {
  const kept: T[] = []
  for (const box of [...boxes].sort((a, b) => b.score - a.score)) {
    if (!kept.some((other) => iou(other, box) > maxIou)) kept.push(box)
  }
  return kept
}

export interface PersonDetectorOptions {
  /** Least heatmap peak kept as a person. Default 0.3 (players score 0.35–0.6 on the shared images). */
  threshold?: number
  /** Boxes overlapping a better one by more than this are the same person. Default 0.5. */
  nmsIou?: number
}

export class PersonDetector {
  readonly options: Required<PersonDetectorOptions>

  constructor(
    private model: Model,
    options: PersonDetectorOptions = {}
  ) {
    this.options = { threshold: options.threshold ?? 0.3, nmsIou: options.nmsIou ?? 0.5 }
  }

  /** People in `frame`, in frame pixels, from one batched run over `squares` (see shortSideSquares). */
  async detect(frame: Frame, squares: Box[]): Promise<Detection[]> {
    if (!squares.length) return []
    const size = CENTERNET_INPUT
    const placements = squares.map((square) => place(square, size, frame))
    const inputs = placements.map((placement) => {
      // The letterbox is in [−1, 1] (the face models' range); this model wants 0–255.
      const input = letterbox(frame, placement, size)
      for (let j = 0; j < input.length; j++) input[j] = (input[j] + 1) * 127.5
      return input
    })
    const output = await runBatch(this.model, inputs, [size, size, 3])
    const heatmap = output[CENTERNET_OUTPUTS.heatmap]
    const sizes = output[CENTERNET_OUTPUTS.sizes]
    if (!heatmap || !sizes) {
      throw new Error(
        `${this.model.name}: outputs ${Object.values(CENTERNET_OUTPUTS).join(' and ')} expected, got ${Object.keys(output).join(', ')}`
      )
    }
    const [, side, , classes] = heatmap.dims
    const people: Detection[] = []
    placements.forEach((placement, b) => {
      const found = decodeCenterNet(heatmap.data, sizes.data, {
        side,
        classes,
        classIndex: PERSON_CLASS,
        threshold: this.options.threshold,
        offset: b * side * side,
      })
      for (const person of found) {
        const box = toFrame(person, placement, frame)
        if (box) people.push(box)
      }
    })
    return suppress(people, this.options.nmsIou)
  }
}

/** A box in model input pixels mapped into the frame, clipped to it (null when nothing is left). */
function toFrame(box: Detection, placement: Placement, frame: Frame): Detection | null {
  const { region, scale, offsetX, offsetY } = placement
  const x0 = Math.max(0, (box.x - Math.floor(offsetX)) / scale + region.x)
  const y0 = Math.max(0, (box.y - Math.floor(offsetY)) / scale + region.y)
  const x1 = Math.min(frame.width, (box.x + box.width - Math.floor(offsetX)) / scale + region.x)
  const y1 = Math.min(frame.height, (box.y + box.height - Math.floor(offsetY)) / scale + region.y)
  return x1 > x0 && y1 > y0
    ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0, score: box.score }
    : null
}
