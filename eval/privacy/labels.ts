/** The hand-made labels (./labels.json): faces, shirt numbers and names on kit, per picture or clip frame. */
import type { Box } from '../../workers/vision/types.js'

export interface LabelBox extends Box {
  note?: string
}

export interface LabelItem {
  /** File name in the media folder. */
  file: string
  /** Seconds into a clip; absent for a still image. */
  time?: number
  /** The original image's (or decoded clip frame's) size; label boxes are in these pixels. */
  width: number
  height: number
  faces: LabelBox[]
  numbers: (LabelBox & { text: string | null })[]
  /** Names on kit (back names, name tags); `text` null when illegible in the frame. Absent: none labelled. */
  names?: (LabelBox & { text: string | null })[]
  /** Faces here are all below 20 px: nothing to find, and unlabelled faces would be false positives. */
  crowdTooSmall?: boolean
  /** Not every face is labelled (dense crowds): recall still counts, precision is not computed. */
  partial?: boolean
  /** Checked by eye: Haar fires here on the original frame but there is no face (hands, shirts). */
  notFaces?: Box[]
  notes?: string
}

export interface LabelFile {
  items: LabelItem[]
}

/** A labelled picture's name in reports and --only: the file, and the time for a clip frame. */
export function itemId(item: LabelItem) {
  return item.time === undefined ? item.file : `${item.file}@${item.time}s`
}
