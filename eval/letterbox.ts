/**
 * Label geometry for the evaluations: the decoder scales a picture into 1280×720 keeping its
 * aspect ratio and pads it to the centre (workers/video/filters.ts); mirroring ffmpeg's rounding
 * keeps hand-drawn labels (in source pixels) within a pixel of the frame.
 */
import type { Box } from '../workers/vision/types.js'

export const FRAME = { width: 1280, height: 720 }

export interface Letterbox {
  scale: number
  offsetX: number
  offsetY: number
}

export function letterbox(width: number, height: number): Letterbox {
  // force_original_aspect_ratio=decrease rounds the dependent side to the nearest pixel.
  const scaledW = Math.min(FRAME.width, Math.round((FRAME.height * width) / height))
  const scaledH = Math.min(FRAME.height, Math.round((FRAME.width * height) / width))
  // pad rounds its offsets down to the chroma grid (even pixels for 4:2:0).
  const offsetX = Math.floor((FRAME.width - scaledW) / 2 / 2) * 2
  const offsetY = Math.floor((FRAME.height - scaledH) / 2 / 2) * 2
  return { scale: scaledW / width, offsetX, offsetY }
}

export function toFrame(box: Box, lb: Letterbox): Box {
  return {
    x: box.x * lb.scale + lb.offsetX,
    y: box.y * lb.scale + lb.offsetY,
    width: box.width * lb.scale,
    height: box.height * lb.scale,
  }
}
