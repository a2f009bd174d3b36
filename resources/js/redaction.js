/*
 * The reviewer's redaction tool on the review page (components/moderation/redaction.edge):
 * draw a box over the anonymized video at the paused frame, set the range of frames on the
 * timeline, send it to be followed by the tracker, look at the tracked boxes over the video,
 * then re-render. The panel's form works without this file (number fields).
 *
 * Keys (from moderation.js, so never while typing in a field):
 *   b  draw: the video pauses, a box appears at its centre; drag on the video to draw another;
 *      arrows move it, Shift+arrows resize it (8 px)
 *   [ ]  move the range's first frame earlier / later · { }  its last frame (5 frames a press)
 *   Enter  follow the box (while drawing), or re-render (once the tracked boxes are shown)
 *   Esc  stop drawing, or cancel the tracked redaction
 */

import { fitCanvas, pictureBox } from './overlay.js'

const STEP_PIXELS = 8
const STEP_FRAMES = 5
const DEFAULT_SIDE = 160

/** The drawing in progress: box in output pixels, anchor frame, range. */
let draft = null

function panel() {
  return document.querySelector('[data-redaction-panel]')
}

function player() {
  return document.querySelector('[data-anonymized] [data-redaction-canvas]')?.parentElement ?? null
}

function numbers(element) {
  const read = (name) => Number(element.dataset[name])
  return {
    fps: read('fps'),
    frameCount: read('frameCount'),
    width: read('width'),
    height: read('height'),
    maxRange: read('maxRange'),
  }
}

function clamp(value, low, high) {
  return Math.max(low, Math.min(high, value))
}

/** Keeps the box inside the frame and the range inside the clip, around the anchor and not too long. */
function settle(geometry) {
  const box = draft.box
  box.width = clamp(Math.round(box.width), 8, geometry.width)
  box.height = clamp(Math.round(box.height), 8, geometry.height)
  box.x = clamp(Math.round(box.x), 0, geometry.width - box.width)
  box.y = clamp(Math.round(box.y), 0, geometry.height - box.height)
  draft.start = clamp(draft.start, Math.max(0, draft.anchor - geometry.maxRange + 1), draft.anchor)
  draft.end = clamp(
    draft.end,
    draft.anchor,
    Math.min(geometry.frameCount - 1, draft.start + geometry.maxRange - 1)
  )
}

function startDrawing() {
  const element = panel()
  const container = player()
  if (!element || !container || element.dataset.redactionState !== 'idle') return false
  const geometry = numbers(element)
  const video = container.querySelector('video')
  video.pause()
  const anchor = clamp(Math.round(video.currentTime * geometry.fps), 0, geometry.frameCount - 1)
  const side = Math.min(DEFAULT_SIDE, geometry.width, geometry.height)
  draft = {
    box: {
      x: (geometry.width - side) / 2,
      y: (geometry.height - side) / 2,
      width: side,
      height: side,
    },
    anchor,
    start: anchor - Math.round(geometry.fps),
    end: anchor + Math.round(geometry.fps),
  }
  settle(geometry)
  container.querySelector('[data-redaction-canvas]').classList.remove('pointer-events-none')
  element.dataset.drawing = 'true'
  render()
  return true
}

function stopDrawing() {
  draft = null
  const element = panel()
  if (element) delete element.dataset.drawing
  player()?.querySelector('[data-redaction-canvas]')?.classList.add('pointer-events-none')
  render()
}

/** The form's fields, the timeline and the canvas from the draft (or the tracked boxes). */
function render() {
  const element = panel()
  const container = player()
  if (!element || !container) return
  const geometry = numbers(element)
  if (draft) {
    const fields = {
      frame: draft.anchor,
      x: draft.box.x,
      y: draft.box.y,
      width: draft.box.width,
      height: draft.box.height,
      start: draft.start,
      end: draft.end,
    }
    for (const [name, value] of Object.entries(fields)) {
      const input = element.querySelector(`[data-redaction-field="${name}"]`)
      if (input) input.value = String(value)
    }
    const range = element.querySelector('[data-redaction-range]')
    const marker = element.querySelector('[data-redaction-anchor]')
    if (range) {
      range.style.left = `${(draft.start / geometry.frameCount) * 100}%`
      range.style.width = `${((draft.end - draft.start + 1) / geometry.frameCount) * 100}%`
    }
    if (marker) marker.style.left = `${(draft.anchor / geometry.frameCount) * 100}%`
  }
  drawCanvas(container, element, geometry)
}

function drawCanvas(container, element, geometry) {
  const canvas = container.querySelector('[data-redaction-canvas]')
  const video = container.querySelector('video')
  const { box, scale } = fitCanvas(canvas, container, video)
  const context = canvas.getContext('2d')
  context.setTransform(scale, 0, 0, scale, 0, 0)
  context.clearRect(0, 0, box.width, box.height)
  const toScreen = (x, y, w, h) => [
    box.x + (x / geometry.width) * box.w,
    box.y + (y / geometry.height) * box.h,
    (w / geometry.width) * box.w,
    (h / geometry.height) * box.h,
  ]
  context.lineWidth = 2
  if (draft) {
    context.strokeStyle = '#ff5c8a'
    context.setLineDash([])
    context.strokeRect(...toScreen(draft.box.x, draft.box.y, draft.box.width, draft.box.height))
    return
  }
  const source = element.querySelector('[data-redaction-track]')?.dataset.redactionTrack
  const tracked = source ? JSON.parse(source) : null
  if (!tracked) return
  const frame = Math.round(video.currentTime * geometry.fps)
  const row = tracked.rows.find((item) => item[0] === frame)
  if (!row) return
  const [, x, y, w, h, lost] = row
  context.strokeStyle = '#ff5c8a'
  context.setLineDash(lost ? [6, 4] : [])
  context.strokeRect(...toScreen(x, y, w, h))
}

/** Posts a panel form and swaps in the panel that comes back, refusal (4xx) included. */
async function submit(form) {
  const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content')
  const response = await fetch(form.action, {
    method: 'POST',
    // URL-encoded like a plain form post (the body parser leaves multipart to uploads).
    body: new URLSearchParams(new FormData(form)),
    credentials: 'same-origin',
    headers: { 'HX-Request': 'true', ...(token ? { 'X-CSRF-TOKEN': token } : {}) },
  })
  const html = await response.text()
  const current = panel()
  if (!current || !html.includes('data-redaction-panel')) return
  current.outerHTML = html
  draft = null
  player()?.querySelector('[data-redaction-canvas]')?.classList.add('pointer-events-none')
  const next = panel()
  if (next && window.htmx) window.htmx.process(next)
  render()
}

/** Handles a key on the review page; true when it was the tool's. */
export function redactionKey(event) {
  const element = panel()
  if (!element) return false
  if (event.key === 'b') return startDrawing()
  const state = element.dataset.redactionState
  if (draft) {
    const geometry = numbers(element)
    const step = STEP_PIXELS
    const moves = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    }
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key]
      if (event.shiftKey) {
        draft.box.width += dx
        draft.box.height += dy
      } else {
        draft.box.x += dx
        draft.box.y += dy
      }
    } else if (event.key === '[') draft.start -= STEP_FRAMES
    else if (event.key === ']') draft.start += STEP_FRAMES
    else if (event.key === '{') draft.end -= STEP_FRAMES
    else if (event.key === '}') draft.end += STEP_FRAMES
    else if (event.key === 'Escape') {
      stopDrawing()
      return true
    } else if (event.key === 'Enter') {
      const form = element.querySelector('[data-redaction-form]')
      if (form) submit(form)
      return true
    } else return false
    settle(geometry)
    render()
    return true
  }
  if (state === 'tracked' && (event.key === 'Enter' || event.key === 'Escape')) {
    const form = element.querySelector(
      event.key === 'Enter' ? '[data-redaction-render]' : '[data-redaction-cancel]'
    )
    if (form) submit(form)
    return true
  }
  return false
}

/** Once per page: the panel's forms go by fetch (a refusal's sentence shows in place), fields redraw. */
export function mountRedaction() {
  // A polled panel (tracking → tracked) brings the boxes to draw.
  document.addEventListener('htmx:afterSettle', () => render())
  document.addEventListener('submit', (event) => {
    const form = event.target
    if (!(form instanceof HTMLFormElement) || !form.closest('[data-redaction-panel]')) return
    event.preventDefault()
    submit(form)
  })
  document.addEventListener('input', (event) => {
    const input = event.target
    const element = panel()
    const container = player()
    if (
      !(input instanceof HTMLInputElement) ||
      !input.dataset.redactionField ||
      !element ||
      !container
    )
      return
    const read = (name) => Number(element.querySelector(`[data-redaction-field="${name}"]`)?.value)
    draft = {
      box: { x: read('x'), y: read('y'), width: read('width'), height: read('height') },
      anchor: read('frame'),
      start: read('start'),
      end: read('end'),
    }
    drawCanvas(container, element, numbers(element))
  })
}

/** Per anonymized player: mouse drawing on its canvas while drawing, and the boxes as the video plays. */
export function scanRedaction() {
  const container = player()
  if (!container || container.dataset.redactionReady) {
    render()
    return
  }
  container.dataset.redactionReady = 'true'
  const canvas = container.querySelector('[data-redaction-canvas]')
  const video = container.querySelector('video')
  const toVideo = (event) => {
    const element = panel()
    const geometry = numbers(element)
    const box = pictureBox(container, video)
    const rect = canvas.getBoundingClientRect()
    return {
      x: ((event.clientX - rect.left - box.x) / box.w) * geometry.width,
      y: ((event.clientY - rect.top - box.y) / box.h) * geometry.height,
      geometry,
    }
  }
  let origin = null
  canvas.addEventListener('pointerdown', (event) => {
    if (!draft) return
    origin = toVideo(event)
    canvas.setPointerCapture(event.pointerId)
  })
  canvas.addEventListener('pointermove', (event) => {
    if (!draft || !origin) return
    const at = toVideo(event)
    draft.box = {
      x: Math.min(origin.x, at.x),
      y: Math.min(origin.y, at.y),
      width: Math.abs(at.x - origin.x),
      height: Math.abs(at.y - origin.y),
    }
    render()
  })
  canvas.addEventListener('pointerup', (event) => {
    if (!draft || !origin) return
    const at = toVideo(event)
    draft.box = {
      x: Math.min(origin.x, at.x),
      y: Math.min(origin.y, at.y),
      width: Math.abs(at.x - origin.x),
      height: Math.abs(at.y - origin.y),
    }
    origin = null
    settle(at.geometry)
    render()
  })
  // The tracked boxes follow the video, frame by frame.
  const follow = () => {
    render()
    if (!video.paused)
      (video.requestVideoFrameCallback ?? requestAnimationFrame).call(
        video.requestVideoFrameCallback ? video : window,
        follow
      )
  }
  video.addEventListener('play', follow)
  video.addEventListener('seeked', render)
  video.addEventListener('loadedmetadata', render)
  window.addEventListener('resize', render)
  render()
}
