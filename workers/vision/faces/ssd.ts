/**
 * Decoding the SSD MobileNet V1 face detector's outputs (see ../convert/ssd_build.ts): the TF Object
 * Detection API's box coder (centre offsets scaled by 10, log sizes by 5, relative to each
 * anchor) and a sigmoid on the face logit.
 */
import type { Frame } from '../../pipeline/types.js'
import { letterbox } from '../../video/sample/area.js'
import { SSD_INPUT } from '../convert/ssd_build.js'
import { runBatch } from '../runtime/batch.js'
import type { Model } from '../types.js'
import { sigmoid, weightedNms, type RawFace } from './blazeface.js'
import type { FaceDetection } from './detector.js'
import { toFrame } from './merge.js'
import { place, type Region } from './regions.js'

/** The box coder's scale factors for (y, x, h, w). */
const CENTRE_SCALE = 10
const SIZE_SCALE = 5

/**
 * Faces scoring at least `threshold` in one image of the batch, in 0–1 input coordinates
 * (without keypoints: this detector has none). `boxes` [N, A, 4], `classes` [N, A, 3] and
 * `anchors` [A, 4] as the model returns them.
 */
export function decodeSsd(
  boxes: Float32Array,
  classes: Float32Array,
  anchors: Float32Array,
  threshold: number,
  batchIndex = 0
): RawFace[] {
  const count = anchors.length / 4
  const faces: RawFace[] = []
  const p = Math.min(Math.max(threshold, 1e-6), 1 - 1e-6)
  const minLogit = Math.log(p / (1 - p))
  for (let i = 0; i < count; i++) {
    const logit = classes[(batchIndex * count + i) * 3 + 1]
    if (!(logit >= minLogit)) continue
    const a = i * 4
    const ah = anchors[a + 2] - anchors[a]
    const aw = anchors[a + 3] - anchors[a + 1]
    const acy = anchors[a] + ah / 2
    const acx = anchors[a + 1] + aw / 2
    const r = (batchIndex * count + i) * 4
    const cy = (boxes[r] / CENTRE_SCALE) * ah + acy
    const cx = (boxes[r + 1] / CENTRE_SCALE) * aw + acx
    const h = Math.exp(boxes[r + 2] / SIZE_SCALE) * ah
    const w = Math.exp(boxes[r + 3] / SIZE_SCALE) * aw
    if (!(w > 0 && h > 0)) continue
    faces.push({
      x: cx - w / 2,
      y: cy - h / 2,
      width: w,
      height: h,
      score: sigmoid(logit),
      keypoints: [],
    })
  }
  return faces
}

/** Suppression overlap within one SSD run (face-api's value: crowd faces overlap more than BlazeFace's tight boxes). */
const SSD_NMS_IOU = 0.5

/** The SSD face detector run on squares of the frame (one batch), its faces in frame pixels. */
export async function ssdFaces(
  model: Model,
  frame: Frame,
  squares: Region[],
  threshold: number
): Promise<FaceDetection[]> {
  const size = SSD_INPUT
  const placements = squares.map((square) => place(square, size, frame))
  const output = await runBatch(
    model,
    placements.map((placement) => letterbox(frame, placement, size)),
    [size, size, 3]
  )
  const { boxes, classes, anchors } = output
  if (!boxes || !classes || !anchors) {
    throw new Error(
      `${model.name}: SSD outputs boxes, classes and anchors expected, got ${Object.keys(output).join(', ')}`
    )
  }
  const faces: FaceDetection[] = []
  placements.forEach((placement, b) => {
    const raw = decodeSsd(boxes.data, classes.data, anchors.data, threshold, b)
    for (const face of weightedNms(raw, SSD_NMS_IOU)) faces.push(...toFrame(face, placement, size))
  })
  return faces
}
