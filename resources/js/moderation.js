/*
 * The moderation queue and review page: keyboard decisions, the two videos played together,
 * and the blurred regions drawn over the anonymized video. Loaded only on those pages (see
 * app.js). Every action here is also a plain link or form: without this file the pages work.
 *
 * Keys (ignored while typing in a field, and with Ctrl, Alt or Meta held):
 *   queue:  j/k select the next/previous clip · a approve · r reject (reason, Enter sends)
 *           · o or Enter open the review · x tick for a bulk decision
 *   review: j/k next/previous clip · a approve · r reject · space play/pause both videos
 *           · m jump to the next risky moment (the risk card's buttons, in their order)
 *           · b draw a box to redact, [ ] { } its range, Enter confirm, Esc cancel (redaction.js)
 */

import { fitCanvas } from './overlay.js'
import { mountRedaction, redactionKey, scanRedaction } from './redaction.js'

const REGION_COLOURS = { face: '#00FF7F', head: '#6cc4ff', text: '#ffc857' }

/** A field where letters are text, not shortcuts. */
function typing(target) {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true
  if (target instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type)
  return false
}

/** Elements that Enter already activates. */
function activatable(target) {
  return (
    target instanceof HTMLElement &&
    Boolean(target.closest('a, button, summary, input, select, textarea'))
  )
}

/* ---------- Queue ---------- */

let selected = 0

function rows() {
  return [...document.querySelectorAll('[data-moderation-row]')]
}

function select(index, { scroll = true } = {}) {
  const list = rows()
  if (list.length === 0) return
  selected = Math.max(0, Math.min(list.length - 1, index))
  list.forEach((row, i) => {
    row.dataset.selected = String(i === selected)
    row.setAttribute('aria-current', i === selected ? 'true' : 'false')
  })
  if (scroll) list[selected].scrollIntoView({ block: 'nearest', behavior: 'smooth' })
}

function current() {
  return rows()[selected] ?? null
}

/** Opens a reject form, focuses its reason; Enter sends, Shift+Enter is a new line. */
function openReject(scope) {
  const details = scope?.querySelector('[data-reject]')
  if (!details) return
  details.open = true
  details.querySelector('[data-reason]')?.focus()
}

function approve(scope) {
  const form = scope?.querySelector('[data-approve-form]')
  if (form) form.requestSubmit()
}

function queueKey(event) {
  const row = current()
  switch (event.key) {
    case 'j':
      select(selected + 1)
      return true
    case 'k':
      select(selected - 1)
      return true
    case 'a':
      approve(row)
      return true
    case 'r':
      openReject(row)
      return true
    case 'x': {
      const box = row?.querySelector('[data-row-check]')
      if (box) box.checked = !box.checked
      return true
    }
    case 'o':
      if (row) window.location.assign(row.dataset.reviewUrl)
      return true
    case 'Enter':
      if (activatable(event.target)) return false
      if (row) window.location.assign(row.dataset.reviewUrl)
      return true
    default:
      return false
  }
}

/* ---------- Review ---------- */

function review() {
  return document.querySelector('[data-moderation-review]')
}

function reviewKey(event) {
  const page = review()
  if (!page) return false
  if (redactionKey(event)) return true
  switch (event.key) {
    case 'j':
      if (page.dataset.nextUrl) window.location.assign(page.dataset.nextUrl)
      return true
    case 'k':
      if (page.dataset.previousUrl) window.location.assign(page.dataset.previousUrl)
      return true
    case 'a':
      approve(page)
      return true
    case 'r':
      openReject(page)
      return true
    case 'm':
      return nextRiskyMoment(page)
    case ' ': {
      if (activatable(event.target)) return false
      const videos = [...page.querySelectorAll('video[data-sync]')]
      if (videos.length === 0) return false
      if (videos[0].paused) videos[0].play().catch(() => {})
      else videos[0].pause()
      return true
    }
    default:
      return false
  }
}

/** Seeks the anonymized video (the original follows: see syncVideos) to a risky moment, paused to look. */
function jumpTo(page, button) {
  const video = page.querySelector('[data-anonymized] video')
  if (!video) return
  video.pause()
  video.currentTime = Number(button.dataset.riskJump)
  for (const other of page.querySelectorAll('[data-risk-jump]'))
    other.removeAttribute('aria-current')
  button.setAttribute('aria-current', 'true')
}

/** `m`: the moment after the one last jumped to, round to the first after the last. */
function nextRiskyMoment(page) {
  const buttons = [...page.querySelectorAll('[data-risk-jump]')]
  if (buttons.length === 0) return false
  const last = buttons.findIndex((button) => button.getAttribute('aria-current') === 'true')
  jumpTo(page, buttons[(last + 1) % buttons.length])
  return true
}

/**
 * The original and the anonymized video play, pause and seek together. Both are the same
 * clip from its start (the anonymized one is the original standardized), so one time fits both.
 */
function syncVideos(root) {
  const videos = [...root.querySelectorAll('video[data-sync]')]
  if (videos.length < 2) return
  for (const video of videos) {
    if (video.dataset.synced) continue
    video.dataset.synced = 'true'
    const others = () => videos.filter((other) => other !== video)
    video.addEventListener('play', () =>
      others().forEach((other) => other.paused && other.play().catch(() => {}))
    )
    video.addEventListener('pause', () =>
      others().forEach((other) => !other.paused && other.pause())
    )
    video.addEventListener('seeked', () => {
      // A seek made here to follow the other video must not echo back: it can land after the
      // reviewer's next jump (m pressed twice quickly) and pull that video back to the old time.
      if (video.dataset.following) {
        delete video.dataset.following
        return
      }
      for (const other of others()) {
        if (Math.abs(other.currentTime - video.currentTime) <= 0.1) continue
        other.dataset.following = 'true'
        other.currentTime = video.currentTime
      }
    })
  }
}

/** Draws regions.json's boxes over the anonymized video, fetched on first use. */
function setupRegions(container) {
  if (container.dataset.regionsReady) return
  container.dataset.regionsReady = 'true'
  const video = container.querySelector('video')
  const canvas = container.querySelector('[data-regions-canvas]')
  const status = container.closest('[data-anonymized]')?.querySelector('[data-regions-status]')
  const context = canvas.getContext('2d')
  let visible = false
  let track = null
  let loading = null

  function load() {
    loading ??= fetch(container.dataset.regionsUrl, { credentials: 'same-origin' })
      .then((response) => {
        if (response.status === 404)
          throw new Error('This clip was processed before blurred regions were recorded.')
        if (!response.ok) throw new Error('The blurred regions could not be loaded.')
        return response.json()
      })
      .then((json) => {
        // Output frame index → rows; an entry covers `count` output frames.
        const byFrame = new Map()
        let regions = 0
        for (const entry of json.frames) {
          for (let index = entry.index; index < entry.index + entry.count; index++)
            byFrame.set(index, entry.regions)
          regions += entry.regions.length
        }
        track = { ...json, byFrame }
        if (status)
          status.textContent = `${json.frames.length} of ${json.frameCount} frames have blurred regions (${regions} in all).`
        draw()
      })
      .catch((error) => {
        if (status) status.textContent = error.message
      })
  }

  function draw() {
    const { box, scale } = fitCanvas(canvas, container, video)
    context.setTransform(scale, 0, 0, scale, 0, 0)
    context.clearRect(0, 0, box.width, box.height)
    if (!visible || !track) return
    const rowsHere = track.byFrame.get(Math.round(video.currentTime * track.fps)) ?? []
    context.lineWidth = 2
    context.font = '11px ui-sans-serif, system-ui, sans-serif'
    for (const [kind, x, y, w, h] of rowsHere) {
      const colour = REGION_COLOURS[kind] ?? '#EAEAEA'
      const left = box.x + (x / track.width) * box.w
      const top = box.y + (y / track.height) * box.h
      context.strokeStyle = colour
      context.fillStyle = colour
      context.strokeRect(left, top, (w / track.width) * box.w, (h / track.height) * box.h)
      context.fillText(kind, left + 2, Math.max(10, top - 3))
    }
  }

  // One frame callback at a time, however often play is pressed.
  let waiting = false
  function follow() {
    waiting = false
    draw()
    if (!visible || waiting) return
    waiting = true
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(follow)
    else if (!video.paused) requestAnimationFrame(follow)
    else waiting = false
  }
  const kick = () => (waiting ? draw() : follow())

  video.addEventListener('play', () => visible && kick())
  video.addEventListener('seeked', draw)
  video.addEventListener('loadedmetadata', draw)
  window.addEventListener('resize', draw)
  container.regions = {
    show(on) {
      visible = on
      if (on) load()
      kick()
    },
  }
}

function scan(root = document) {
  root.querySelectorAll?.('[data-regions-url]').forEach(setupRegions)
  syncVideos(root)
  scanRedaction()
  if (root.querySelector?.('[data-moderation-row]') || root.matches?.('[data-moderation-queue]'))
    select(selected, { scroll: false })
}

export function mountModeration() {
  mountRedaction()
  scan()
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return
    // In a reason: Enter sends the rejection, Shift+Enter starts a new line.
    if (event.target instanceof HTMLTextAreaElement && event.target.matches('[data-reason]')) {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault()
        event.target.form?.requestSubmit()
      }
      return
    }
    if (typing(event.target)) return
    const handled = document.querySelector('[data-moderation-queue]')
      ? queueKey(event)
      : reviewKey(event)
    if (handled) event.preventDefault()
  })
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-risk-jump]') : null
    const page = review()
    if (button && page) jumpTo(page, button)
  })
  document.addEventListener('change', (event) => {
    const id = event.target?.dataset?.regionsToggle
    if (id) document.getElementById(id)?.regions?.show(event.target.checked)
  })
  // The queue or the next clip came in by htmx: wire it up; the selection keeps its place.
  document.addEventListener('htmx:afterSettle', (event) => scan(event.target))
}
