/**
 * Faces placed from pose: the heads of people whose face no face box covers, and the faces of
 * people lying or upside down looked for on their heads turned upright.
 */
import type { Frame } from '../../pipeline/types.js'
import type { FaceDetection, FaceDetector } from '../faces/detector.js'
import { centreInside, grow, iou, union } from '../geometry.js'
import { UPRIGHT_DEGREES, headBox, type HeadBox } from '../pose/head.js'
import { fromUpright, uprightCrop } from '../pose/upright.js'
import type { SharedFrameState } from '../processors.js'
import type { Box } from '../types.js'

/** A pose-placed face overlapping a face box this much is that face already. */
const HEAD_COVERED_IOU = 0.3
/**
 * Heads turned upright for the face detector on one keyframe, most tilted first: each is one
 * 128 px BlazeFace run, and a gymnastics hall can have many people upside down at once.
 */
const TURNED_HEADS_PER_KEYFRAME = 6
/**
 * A face found on a head turned upright is that head's when its centre lies within the pose
 * head grown by this much of its size each side (pose places a turned head less surely).
 */
const TURNED_FACE_REACH = 0.5

/** Whether a face box already covers this head: it is that face. */
export function covered(head: Box, faces: Box[]) {
  return faces.some((face) => iou(face, head) > HEAD_COVERED_IOU || centreInside(head, face))
}

/**
 * A keyframe's faces with those of people lying or upside down looked for upright: the face
 * search, trained on upright faces, misses a turned face or boxes only part of it. Each
 * turned head is cut out turned upright and searched there (`detector`: BlazeFace short range
 * alone); a face found replaces what the search had on that head, mapped back into the frame
 * so the tracker follows it like any face. `heads`: how many heads were searched upright.
 */
export async function facesTurnedUpright(
  detector: FaceDetector,
  frame: Frame,
  people: SharedFrameState['people'],
  found: FaceDetection[]
): Promise<{ faces: FaceDetection[]; heads: number; turnedFaces: number }> {
  const turned = people
    .map((person) => headBox(person.keypoints))
    .filter((head): head is HeadBox => head !== undefined && Math.abs(head.angle) > UPRIGHT_DEGREES)
    .sort((a, b) => Math.abs(b.angle) - Math.abs(a.angle))
    .slice(0, TURNED_HEADS_PER_KEYFRAME)
  if (turned.length === 0) return { faces: found, heads: 0, turnedFaces: 0 }
  const faces: FaceDetection[] = []
  for (const head of turned) {
    const crop = uprightCrop(frame, head, head.angle)
    // The crop is this head's: one face, centred on it (a neighbour's face at the crop's edge,
    // or a hand, is the frame search's to find).
    const detected = await detector.detect(crop.frame, { tiles: [], squares: [] })
    const best = detected
      .map((face) => ({ box: fromUpright(crop, face), score: face.score }))
      .filter(({ box }) => centreInside(box, grow(head, TURNED_FACE_REACH)))
      .sort((a, b) => b.score - a.score)[0]
    // BlazeFace boxes eyes to mouth; the head placed from pose, sized on labelled faces,
    // reaches forehead and chin, which turned sideways the search's own box may miss.
    if (best) faces.push({ ...union(best.box, head), score: best.score, keypoints: [] })
  }
  // One face, one box: the upright look's, stretched over what the search had there.
  const same = (a: Box, b: Box) => covered(a, [b]) || centreInside(b, a)
  const kept = found.filter((face) => !faces.some((turnedFace) => same(face, turnedFace)))
  const merged = faces.map((face) =>
    found
      .filter((other) => same(other, face))
      .reduce((box, other) => ({ ...box, ...union(box, other) }), face)
  )
  return { faces: [...kept, ...merged], heads: turned.length, turnedFaces: faces.length }
}
