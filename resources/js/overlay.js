/*
 * Overlays drawn on a canvas laid over a <video> (skeletons, blurred regions): where the
 * picture sits inside its element, and a canvas sized to the element in device pixels.
 */

/** The rectangle the picture fills inside `container` (object-fit: contain letterboxes it). */
export function pictureBox(container, video) {
  const width = container.clientWidth
  const height = container.clientHeight
  const ratio = (video.videoWidth || 16) / (video.videoHeight || 9)
  const fitted =
    width / height > ratio ? { w: height * ratio, h: height } : { w: width, h: width / ratio }
  return { x: (width - fitted.w) / 2, y: (height - fitted.h) / 2, ...fitted, width, height }
}

/** Sizes `canvas` to `container` at the screen's pixel ratio; returns the picture's box and that ratio. */
export function fitCanvas(canvas, container, video) {
  const box = pictureBox(container, video)
  const scale = window.devicePixelRatio || 1
  canvas.width = Math.round(box.width * scale)
  canvas.height = Math.round(box.height * scale)
  return { box, scale }
}
