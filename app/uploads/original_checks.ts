import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import config from '#config/athera'
import Clip from '#models/clip'
import type Upload from '#models/upload'
import { SettingsStore } from '#app/core/settings_store'
import { uploadErrors } from '#app/uploads/errors'
import {
  checkComplete,
  detectContainer,
  findEmbeddedScript,
  type EmbeddedScriptScanner,
  type ContainerKind,
} from '#workers/video/container'
import { probe, ProbeError } from '#workers/video/probe'

export interface Inspection {
  info: import('#workers/video/probe').ProbeResult
  video: import('#workers/video/probe').VideoStreamInfo
  container: ContainerKind
  /** From the magic bytes, never from the client's `filetype`. */
  contentType: string
}

/**
 * The checks of a complete original before it is stored: its container by magic bytes, no
 * embedded playlist or script, ffprobe, the instance's duration and resolution bounds, and
 * no duplicate of a clip the creator already has.
 */
@inject()
export class OriginalChecks {
  constructor(protected settings: SettingsStore) {}

  /**
   * `streamed` is the script scan made while the bytes arrived, when this process saw all of
   * them; without it the staged file is searched.
   */
  async inspect(path: string, streamed?: EmbeddedScriptScanner): Promise<Inspection> {
    const settings = await this.settings.all()
    const handle = await open(path, 'r')
    let container
    try {
      const read = async (position: number, length: number) => {
        const buffer = Buffer.alloc(length)
        const { bytesRead } = await handle.read(buffer, 0, length, position)
        return buffer.subarray(0, bytesRead)
      }
      container = detectContainer(await read(0, 64))
      if (!container.kind) {
        throw uploadErrors.raise('E_CONTAINER', { why: container.refusal ?? null })
      }
      const stats = await handle.stat()
      const incomplete = await checkComplete(container.kind, stats.size, read)
      if (incomplete) throw uploadErrors.raise('E_UNREADABLE', { why: incomplete })
    } finally {
      await handle.close()
    }
    const kind = container.kind
    // A playlist or concat script inside a video is how ffmpeg is made to read local files or
    // fetch URLs; no camera writes one, so the file is refused before ffprobe opens it. The
    // bytes were searched while they arrived, unless the upload resumed on another process.
    const script = streamed
      ? streamed.found
      : await findEmbeddedScript(createReadStream(path, { highWaterMark: 1024 * 1024 }))
    if (script) {
      throw uploadErrors.raise('E_EMBEDDED_SCRIPT', { script })
    }

    let info
    try {
      info = await probe(path, {
        ffprobePath: config.media.ffprobePath,
        timeoutMs: 60_000,
        container: kind,
      })
    } catch (error) {
      if (error instanceof ProbeError)
        throw uploadErrors.raise('E_UNREADABLE', { why: error.message })
      throw error
    }
    const video = info.video[0]
    if (!video || video.width === 0 || video.height === 0) {
      throw uploadErrors.raise('E_NO_VIDEO')
    }
    const seconds = info.durationSeconds
    if (!(seconds >= settings.min_duration_seconds) || seconds > settings.max_duration_seconds) {
      throw uploadErrors.raise('E_DURATION', {
        seconds,
        min: settings.min_duration_seconds,
        max: settings.max_duration_seconds,
      })
    }
    const shortSide = Math.min(video.width, video.height)
    const longSide = Math.max(video.width, video.height)
    if (shortSide < settings.min_short_side_px || longSide > settings.max_long_side_px) {
      throw uploadErrors.raise('E_RESOLUTION', {
        width: video.width,
        height: video.height,
        minShort: settings.min_short_side_px,
        maxLong: settings.max_long_side_px,
      })
    }
    return {
      info,
      video,
      container: kind,
      contentType: container.contentType ?? 'application/octet-stream',
    }
  }

  /** The same video twice from one creator is refused, unless the first was withdrawn. */
  async refuseDuplicate(upload: Upload, sha256: string) {
    const existing = await Clip.query()
      .where('user_id', upload.userId)
      .where('sha256', sha256)
      .whereNot('status', 'withdrawn')
      .first()
    if (existing) {
      throw uploadErrors.raise('E_DUPLICATE', {
        title: existing.title,
        day: existing.createdAt.toFormat('d LLL yyyy'),
      })
    }
  }
}
