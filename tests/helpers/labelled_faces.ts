import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import type { Box } from '#workers/vision/types'

/**
 * Labelled faces ≥ 20 px (eval/privacy/labels.json) of a shared picture, in the letterboxed
 * 1280 × 720 frame imageFrame() makes of it.
 */
export async function labelledFaces(file: string): Promise<Box[]> {
  const labels = JSON.parse(await readFile(app.makePath('eval/privacy/labels.json'), 'utf8'))
  const item = labels.items.find(
    (candidate: { file: string; time?: number }) =>
      candidate.file === file && candidate.time === undefined
  )
  if (!item) throw new Error(`${file} has no labels in eval/privacy/labels.json`)
  const offsetX = (1280 - item.width * item.scale) / 2
  const offsetY = (720 - item.height * item.scale) / 2
  return item.faces
    .filter((face: { min20: boolean }) => face.min20)
    .map((face: Box) => ({
      x: offsetX + face.x * item.scale,
      y: offsetY + face.y * item.scale,
      width: face.width * item.scale,
      height: face.height * item.scale,
    }))
}

/** The share of `box` inside the blurred face ellipses `regions` (a 20 × 20 grid of points). */
export function coverage(box: Box, regions: Box[]) {
  let inside = 0
  for (let i = 0; i < 20; i++) {
    for (let j = 0; j < 20; j++) {
      const x = box.x + ((i + 0.5) / 20) * box.width
      const y = box.y + ((j + 0.5) / 20) * box.height
      const hit = regions.some(
        (r) =>
          ((x - r.x - r.width / 2) / (r.width / 2)) ** 2 +
            ((y - r.y - r.height / 2) / (r.height / 2)) ** 2 <=
          1
      )
      if (hit) inside++
    }
  }
  return inside / 400
}

/** A face is blurred when this much of its labelled box lies inside a blurred face region. */
export const COVERED = 0.75
