import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import { DateTime } from 'luxon'
import config from '#config/athera'
import Clip from '#models/clip'
import ClipAsset, { type ClipAssetKind } from '#models/clip_asset'
import ClipRedaction, { type TrackedRow } from '#models/clip_redaction'
import type { JobContext } from '#jobs/registry'
import { ClipProcessingService, claimWorkFolder, visionSettings } from '#app/processing/public'
import { StorageService, type BucketName } from '#app/core/storage_service'
import { fetchClipFile, videoGeometry } from '#app/moderation/redaction_job_files'
import { REPLACED, publishRedaction } from '#app/moderation/redaction_publish'
import { CLIP_OUTPUTS } from '#workers/pipeline/outputs'
import type { ManualRecord, RegionsFile } from '#workers/pipeline/redact'
import { runPipeline } from '#workers/pipeline/run'
import { PipelineError } from '#workers/pipeline/types'
import { readGreyFrames } from '#workers/video/grey'
import { trackingScale, trackRegion } from '#workers/vision/anonymize/region_track'

/**
 * A reviewer's manual redactions, worker side: the `track-redaction` job follows the drawn box
 * through its range in the published video; the `render-redaction` job re-renders the clip
 * (the pipeline with a RerenderPlan: workers/pipeline/redact.ts) and publishes the new files
 * in one transaction with the audit entry. Both are idempotent: each acts only on a redaction
 * in the status it expects, and writes under that condition.
 *
 * The tracking runs in the job, not in the request: it decodes the published video, which the
 * web process never does (it serves pages while workers decode), and the reviewer sees the
 * boxes a second or two later by the panel's polling.
 */
@inject()
export class RedactionWorkService {
  constructor(
    protected storage: StorageService,
    protected processing: ClipProcessingService
  ) {}

  async track(redactionId: number, context: JobContext) {
    const redaction = await ClipRedaction.find(redactionId)
    if (!redaction || redaction.status !== 'tracking') {
      logger.info(
        { redactionId, status: redaction?.status, jobId: context.jobId },
        'track-redaction: nothing to do'
      )
      return
    }
    const clipId = redaction.clipId
    const work = await claimWorkFolder(`${clipId}.redaction-${redaction.id}`)
    try {
      const video = await fetchClipFile(
        this.storage,
        clipId,
        'video',
        join(work.path, CLIP_OUTPUTS.video.file)
      )
      const geometry = await videoGeometry(this.storage, clipId)
      const scale = trackingScale(redaction.box)
      const size = { width: even(geometry.width * scale), height: even(geometry.height * scale) }
      const frames = await readGreyFrames(
        video,
        { first: redaction.startFrame, last: redaction.endFrame, fps: geometry.fps, ...size },
        { ffmpegPath: config.media.ffmpegPath, signal: context.signal }
      )
      if (frames.length < redaction.anchorFrame - redaction.startFrame + 1) {
        throw new PipelineError(
          'E_DECODE_FAILED',
          'standardize',
          'The video ends before the frame the box was drawn on.'
        )
      }
      const last = redaction.startFrame + frames.length - 1
      // The scale actually used per axis (sizes are rounded to even numbers).
      const tracked = trackRegion(
        frames,
        redaction.startFrame,
        redaction.anchorFrame,
        redaction.box,
        size.width / geometry.width,
        geometry
      )
      const track: TrackedRow[] = tracked.map((box) => [
        box.frame,
        box.x,
        box.y,
        box.width,
        box.height,
        box.lost,
      ])
      const updated = await ClipRedaction.query()
        .where('id', redaction.id)
        .where('status', 'tracking')
        .update({
          status: 'tracked',
          track: JSON.stringify(track),
          end_frame: Math.min(redaction.endFrame, last),
          updated_at: new Date(),
        })
      logger.info(
        {
          clipId,
          redactionId,
          jobId: context.jobId,
          frames: track.length,
          lost: track.filter((row) => row[5]).length,
          updated,
        },
        'redaction tracked'
      )
    } catch (error) {
      await this.#failed(redaction, 'tracking', error, context)
      if (!context.finalAttempt) throw error
    } finally {
      await work.release(true)
    }
  }

  async render(redactionId: number, context: JobContext) {
    const redaction = await ClipRedaction.query().where('id', redactionId).preload('admin').first()
    if (!redaction || redaction.status !== 'rendering' || !redaction.track?.length) {
      logger.info(
        { redactionId, status: redaction?.status, jobId: context.jobId },
        'render-redaction: nothing to do'
      )
      return
    }
    const clip = await Clip.findOrFail(redaction.clipId)
    const work = await claimWorkFolder(`${clip.id}.redaction-${redaction.id}`)
    const stored: { bucket: BucketName; key: string }[] = []
    // A failed attempt that will be retried keeps its folder: steps.json lets the retry resume.
    let keep = false
    try {
      const assets = await ClipAsset.query().where('clip_id', clip.id)
      const has = (kind: ClipAssetKind) => assets.some((asset) => asset.kind === kind)
      // The original gives the best pixels, but only with the automatic regions to replay: see
      // workers/pipeline/redact.ts. Without regions.json, or once retention removed the
      // original, the published video is blurred once more instead.
      const source = has('raw') && has('regions') ? 'raw' : 'anonymized'
      const inputPath = await fetchClipFile(
        this.storage,
        clip.id,
        source === 'raw' ? 'raw' : 'video',
        join(work.path, source === 'raw' ? 'original' : 'source.mp4')
      )
      const keypointsPath = await fetchClipFile(
        this.storage,
        clip.id,
        'keypoints',
        join(work.path, CLIP_OUTPUTS.keypoints.file)
      )
      const metadata = await readJson(
        await fetchClipFile(
          this.storage,
          clip.id,
          'metadata',
          join(work.path, CLIP_OUTPUTS.metadata.file)
        )
      )
      const regions: RegionsFile | null = has('regions')
        ? await readJson(
            await fetchClipFile(
              this.storage,
              clip.id,
              'regions',
              join(work.path, CLIP_OUTPUTS.regions.file)
            )
          )
        : null
      const at = DateTime.now().toUTC().toISO()!
      const record: ManualRecord = {
        redactionId: redaction.id,
        admin: { id: redaction.adminId, email: redaction.admin.email },
        at,
        anchor: { frame: redaction.anchorFrame, ...redaction.box },
        frames: [redaction.startFrame, redaction.endFrame],
        source,
      }
      const regionsToBlur = redaction.track.map(([frame, x, y, width, height]) => ({
        frame,
        x,
        y,
        width,
        height,
      }))
      const result = await runPipeline(
        {
          inputPath,
          outDir: join(work.path, 'out'),
          clip: { clipId: clip.id },
          rerender: {
            source,
            regions,
            keypointsPath,
            metadata,
            keypointStats: {
              people: clip.keypointPeople ?? 0,
              framesWithPeople: clip.keypointFrames ?? 0,
            },
            record,
            regionsToBlur,
          },
        },
        {
          ...config.pipeline,
          ffmpegPath: config.media.ffmpegPath,
          ffprobePath: config.media.ffprobePath,
          processors: [],
          blur: visionSettings().blur,
        },
        { signal: context.signal }
      )
      for (const kind of REPLACED)
        stored.push(await this.processing.store(clip.id, result.outputs[kind]))
      const published = await publishRedaction(
        redaction,
        result.outputs,
        source,
        regionsToBlur.length
      )
      if (!published) {
        await this.processing.discardUnreferenced(clip.id, stored)
        return
      }
      // The replaced video, thumbnail and preview: no row points at them any more.
      await this.processing.discardUnreferenced(clip.id)
      logger.info(
        { clipId: clip.id, redactionId, jobId: context.jobId, source, timings: result.timings },
        'clip redacted and re-rendered'
      )
    } catch (error) {
      await this.processing.discardUnreferenced(clip.id, stored)
      await this.#failed(redaction, 'rendering', error, context)
      keep = !context.finalAttempt
      if (keep) throw error
    } finally {
      await work.release(!keep)
    }
  }

  /** A failed attempt: on the last one the redaction says why; the clip's files are untouched. */
  async #failed(
    redaction: ClipRedaction,
    expected: 'tracking' | 'rendering',
    error: unknown,
    context: JobContext
  ) {
    const message =
      error instanceof PipelineError
        ? error.message
        : expected === 'tracking'
          ? 'The box could not be followed through the video; the error is logged for the administrator.'
          : 'The re-render stopped on an internal error; the video was not changed. The error is logged for the administrator.'
    logger.error(
      { clipId: redaction.clipId, redactionId: redaction.id, jobId: context.jobId, err: error },
      `redaction ${expected} failed`
    )
    if (!context.finalAttempt) return
    await ClipRedaction.query()
      .where('id', redaction.id)
      .where('status', expected)
      .update({ status: 'failed', error_message: message.slice(0, 500), updated_at: new Date() })
  }
}

/** The nearest even number of at least 2: ffmpeg's scaler wants even sizes for 4:2:0. */
function even(value: number) {
  return Math.max(2, Math.round(value / 2) * 2)
}

async function readJson(path: string) {
  return JSON.parse(await readFile(path, 'utf8'))
}
