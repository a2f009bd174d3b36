/*
 * Pose skeletons drawn over a video from its keypoints.json, with MediaPipe's own drawing
 * utilities (bundled, no CDN; no model or WASM is loaded: only the 2D drawing helpers).
 *
 * Markup: <div data-skeleton data-keypoints-url="…"><video></video><canvas data-skeleton-canvas></canvas></div>
 * and optionally <input type="checkbox" data-skeleton-toggle="<that div's id>">.
 */
import { DrawingUtils, PoseLandmarker } from '@mediapipe/tasks-vision'
import { fitCanvas } from './overlay.js'

const MINT = '#00FF7F'

function setup(container) {
  if (container.dataset.skeletonReady) return
  container.dataset.skeletonReady = 'true'
  const video = container.querySelector('video')
  const canvas = container.querySelector('[data-skeleton-canvas]')
  const context = canvas.getContext('2d')
  const drawing = new DrawingUtils(context)
  let track = null
  let visible = true

  fetch(container.dataset.keypointsUrl, { credentials: 'same-origin' })
    .then((response) => (response.ok ? response.json() : null))
    .then((json) => {
      track = json
      draw()
    })
    .catch(() => {})

  function draw() {
    const { box, scale } = fitCanvas(canvas, container, video)
    context.setTransform(1, 0, 0, 1, 0, 0)
    context.clearRect(0, 0, canvas.width, canvas.height)
    if (!visible || !track || !track.frames?.length) return
    const index = Math.min(
      track.frames.length - 1,
      Math.max(0, Math.round(video.currentTime * track.fps))
    )
    const frame = track.frames[index]
    // DrawingUtils takes coordinates normalised to the canvas: map ours into the picture's box.
    for (const person of frame.people) {
      const points = (person.smoothed ?? person.keypoints).map(([x, y, score]) => ({
        x: (box.x + (x / track.width) * box.w) / box.width,
        y: (box.y + (y / track.height) * box.h) / box.height,
        z: 0,
        visibility: score,
      }))
      drawing.drawConnectors(points, PoseLandmarker.POSE_CONNECTIONS, {
        color: MINT,
        lineWidth: 3 * scale,
      })
      drawing.drawLandmarks(points, {
        color: '#0D0D0D',
        fillColor: MINT,
        radius: 3 * scale,
        lineWidth: scale,
      })
    }
  }

  function follow() {
    draw()
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(follow)
    else if (!video.paused) requestAnimationFrame(follow)
  }
  video.addEventListener('play', follow)
  video.addEventListener('seeked', draw)
  video.addEventListener('loadedmetadata', draw)
  window.addEventListener('resize', draw)
  container.skeleton = {
    show(on) {
      visible = on
      draw()
    },
  }
}

export function scan(root = document) {
  root.querySelectorAll('[data-skeleton]').forEach(setup)
}

document.addEventListener('change', (event) => {
  const id = event.target?.dataset?.skeletonToggle
  if (id) document.getElementById(id)?.skeleton?.show(event.target.checked)
})
