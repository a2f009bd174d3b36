/**
 * A whole clip's keypoints.json as a COCO keypoints file: one image per output frame, one
 * annotation per person with the 17 COCO keypoints and the person's `track_id` (the PoseTrack
 * convention), so COCO tools (pycocotools, mmpose, ultralytics converters) read it directly.
 */
import { COCO_17_NAMES, COCO_SKELETON, toCoco17 } from './coco.js'
import type { Keypoint, PersonKeypoints } from '../../pipeline/types.js'

interface KeypointsFile {
  clipId: string
  fps: number
  width: number
  height: number
  frames: { index: number; timeMs: number; people: PersonKeypoints[] }[]
}

/** A keypoint seen with at least this visibility is "visible" (v = 2), else "labelled" (v = 1). */
const VISIBLE = 0.5

export function toCocoKeypoints(file: KeypointsFile, options: { smoothed?: boolean } = {}) {
  const images = []
  const annotations = []
  let annotationId = 1
  for (const frame of file.frames) {
    const imageId = frame.index + 1
    images.push({
      id: imageId,
      file_name: `${file.clipId}/${String(frame.index).padStart(6, '0')}.jpg`,
      width: file.width,
      height: file.height,
      frame_index: frame.index,
      time_ms: frame.timeMs,
      video_id: file.clipId,
    })
    for (const person of frame.people) {
      const points = toCoco17<Keypoint>(options.smoothed ? person.smoothed : person.keypoints)
      const flat: number[] = []
      let labelled = 0
      for (const [x, y, score] of points) {
        // COCO has no place for a point outside the picture: it is "not labelled" (0, 0, 0).
        const inside = x >= 0 && y >= 0 && x < file.width && y < file.height
        const v = inside ? (score >= VISIBLE ? 2 : 1) : 0
        flat.push(inside ? round(x) : 0, inside ? round(y) : 0, v)
        if (v > 0) labelled++
      }
      const [x, y, width, height] = person.bbox
      annotations.push({
        id: annotationId++,
        image_id: imageId,
        category_id: 1,
        track_id: person.trackId,
        bbox: [x, y, width, height],
        area: round(width * height),
        iscrowd: 0,
        score: person.score,
        num_keypoints: labelled,
        keypoints: flat,
      })
    }
  }
  return {
    info: {
      description: `Athera clip ${file.clipId}: keypoints (${options.smoothed ? 'smoothed' : 'raw'}), ${file.fps} fps`,
      version: '1.0',
      date_created: new Date().toISOString(),
    },
    images,
    annotations,
    categories: [
      {
        id: 1,
        name: 'person',
        supercategory: 'person',
        keypoints: [...COCO_17_NAMES],
        // COCO numbers skeleton joints from 1.
        skeleton: COCO_SKELETON.map(([a, b]) => [a + 1, b + 1]),
      },
    ],
  }
}

const round = (value: number) => Math.round(value * 10) / 10
