/*
 * The upload page: files are picked or dropped, described, then sent with the tus protocol
 * in resumable chunks. A dropped connection retries by itself; after a page reload, picking
 * the same file again resumes it (tus-js-client remembers it in localStorage).
 */
import * as tus from 'tus-js-client'

const retryDelays = [0, 1000, 3000, 5000, 10000, 20000]

function humanSize(bytes) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

function titleFrom(name) {
  return (
    name
      .replace(/\.[^.]+$/, '')
      .replace(/[_-]+/g, ' ')
      .trim()
      .slice(0, 160) || 'Untitled clip'
  )
}

/** The server answers refusals with one sentence in plain text. */
function messageOf(error) {
  const body = error?.originalResponse?.getBody?.()
  if (body) return body
  return 'The connection was lost. The upload will resume when you press Resume or pick the file again.'
}

export function mountUploader(root) {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? ''
  const consentId = root.dataset.consentId
  const chunkSize = Number(root.dataset.chunkBytes)
  const maxBytes = Number(root.dataset.maxBytes)
  const input = root.querySelector('#file-input')
  const dropzone = root.querySelector('#dropzone')
  const list = root.querySelector('#upload-list')
  const startAll = root.querySelector('#start-all')
  const template = document.querySelector('#upload-row')
  const rows = new Set()

  function addFile(file) {
    const node = template.content.firstElementChild.cloneNode(true)
    const field = (name) => node.querySelector(`[data-field="${name}"]`)
    const button = (name) => node.querySelector(`[data-action="${name}"]`)
    const form = node.querySelector('[data-clip-form]')
    field('name').textContent = file.name
    field('size').textContent = humanSize(file.size)
    form.elements.title.value = titleFrom(file.name)
    const row = { node, file, upload: null, done: false }

    const setState = (state, message = '') => {
      field('state').textContent = state
      field('message').textContent = message
      node.dataset.state = state.toLowerCase()
    }
    const setProgress = (sent, total) => {
      const percent = total ? Math.floor((sent / total) * 100) : 0
      field('fill').style.width = `${percent}%`
      field('bar').setAttribute('aria-valuenow', String(percent))
      return percent
    }
    const show = (visible) => {
      for (const name of ['start', 'pause', 'resume']) button(name).hidden = !visible.includes(name)
    }

    if (file.size > maxBytes) {
      setState(
        'Too large',
        `This file is ${humanSize(file.size)}; the largest upload is ${humanSize(maxBytes)}.`
      )
      show([])
    }

    async function start() {
      if (!form.reportValidity()) return
      // Fields left empty are not sent: "not said" is an absent value, not an empty string.
      const values = Object.fromEntries(
        [...new FormData(form).entries()].filter(([, value]) => value !== '')
      )
      for (const element of form.elements) element.disabled = true
      row.upload = new tus.Upload(file, {
        endpoint: '/uploads',
        chunkSize,
        retryDelays,
        headers: { 'X-CSRF-TOKEN': csrf },
        metadata: {
          ...values,
          consentId,
          filename: file.name,
          filetype: file.type || 'application/octet-stream',
        },
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress(sent, total) {
          const percent = setProgress(sent, total)
          setState('Uploading', `${percent}% · ${humanSize(sent)} of ${humanSize(total)}`)
        },
        onSuccess(payload) {
          row.done = true
          setProgress(1, 1)
          const clipId = payload?.lastResponse?.getHeader('Athera-Clip-Id')
          setState('Uploaded', 'Stored and checked. Processing starts shortly.')
          if (clipId) {
            const link = document.createElement('a')
            link.href = `/clips/${clipId}`
            link.className = 'ml-2 text-mint hover:underline'
            link.textContent = 'See it in My clips'
            field('message').append(link)
          }
          show([])
          button('remove').hidden = true
        },
        onError(error) {
          const status = error?.originalResponse?.getStatus?.()
          if (status && status >= 400 && status < 500) {
            setState('Refused', messageOf(error))
            show([])
          } else {
            setState('Paused', messageOf(error))
            show(['resume'])
          }
        },
      })
      const previous = await row.upload.findPreviousUploads()
      if (previous.length > 0) row.upload.resumeFromPreviousUpload(previous[0])
      setState('Uploading', previous.length > 0 ? 'Resuming where it stopped…' : 'Starting…')
      show(['pause'])
      row.upload.start()
    }

    button('start').addEventListener('click', start)
    button('pause').addEventListener('click', () => {
      row.upload?.abort()
      setState('Paused', 'Paused. Press Resume to continue from the last chunk.')
      show(['resume'])
    })
    button('resume').addEventListener('click', () => {
      setState('Uploading', 'Resuming…')
      show(['pause'])
      row.upload?.start()
    })
    button('remove').addEventListener('click', async () => {
      if (row.upload && !row.done) await row.upload.abort(true).catch(() => {})
      rows.delete(row)
      node.remove()
      startAll.hidden = rows.size === 0
    })

    row.start = start
    rows.add(row)
    list.append(node)
    startAll.hidden = false
  }

  function takeSelected() {
    for (const file of input.files) addFile(file)
    input.value = ''
  }
  input.addEventListener('change', takeSelected)
  // Files picked while this chunk was still loading (a slow connection) are not lost.
  if (input.files?.length) takeSelected()
  for (const type of ['dragenter', 'dragover']) {
    dropzone.addEventListener(type, (event) => {
      event.preventDefault()
      dropzone.classList.add('border-mint/60')
    })
  }
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('border-mint/60'))
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault()
    dropzone.classList.remove('border-mint/60')
    for (const file of event.dataTransfer.files) addFile(file)
  })
  startAll.addEventListener('click', () => {
    for (const row of rows) if (!row.upload && row.node.dataset.state !== 'too large') row.start()
  })
  root.dataset.uploaderReady = 'true'
}
