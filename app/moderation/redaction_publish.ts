import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import ClipRedaction from '#models/clip_redaction'
import { AuditTrail } from '#app/core/audit_trail'
import { outputBucket } from '#app/core/storage_service'
import { objectKey } from '#app/processing/public'
import { datasetVersionCount, refusal } from '#app/moderation/redaction_checks'
import { redactionErrors } from '#app/moderation/errors'
import { OUTPUT_KINDS, type OutputKind } from '#workers/pipeline/outputs'

/** The outputs a re-render replaces: all of them (keypoints.json is copied unchanged: pose did not run again). */
export const REPLACED: readonly OutputKind[] = OUTPUT_KINDS

/** A re-rendered output as the pipeline reports it, already stored. */
export type RenderedOutputs = Record<
  OutputKind,
  { kind: OutputKind; bytes: number; sha256: string; contentType: string }
>

/**
 * The new files replace the old in one transaction with the redaction's `done` and its audit
 * entry, after checking again, under the clip's lock, that the clip can still take them.
 * False when they were not published (the redaction was replaced, or the clip cannot take them).
 */
export function publishRedaction(
  redaction: ClipRedaction,
  outputs: RenderedOutputs,
  source: 'raw' | 'anonymized',
  regions: number
) {
  return db.transaction(async (trx) => {
    const clip = await Clip.query({ client: trx })
      .where('id', redaction.clipId)
      .forUpdate()
      .firstOrFail()
    const current = await ClipRedaction.query({ client: trx })
      .where('id', redaction.id)
      .forUpdate()
      .first()
    if (!current || current.status !== 'rendering') return false
    const refused = refusal(clip, await datasetVersionCount(clip.id, trx))
    if (refused) {
      current.merge({
        status: 'failed',
        errorMessage: `Nothing was changed: ${redactionErrors.describe(refused)}`.slice(0, 500),
      })
      await current.useTransaction(trx).save()
      return false
    }
    const previous = await ClipAsset.query({ client: trx })
      .where('clip_id', clip.id)
      .where('kind', 'video')
      .first()
    for (const kind of REPLACED) {
      const output = outputs[kind]
      await ClipAsset.updateOrCreate(
        { clipId: clip.id, kind },
        {
          bucket: outputBucket(kind),
          key: objectKey(clip.id, kind, output.sha256),
          bytes: output.bytes,
          sha256: output.sha256,
          contentType: output.contentType,
        },
        { client: trx }
      )
    }
    current.merge({ status: 'done', source, renderedAt: DateTime.now(), errorMessage: null })
    await current.useTransaction(trx).save()
    await new AuditTrail().record(
      {
        actorId: current.adminId,
        action: 'clip.redacted',
        subject: { type: 'clip', id: clip.id },
        meta: {
          redactionId: current.id,
          regions,
          frames: [current.startFrame, current.endFrame],
          anchorFrame: current.anchorFrame,
          box: current.box,
          source,
          previousVideoSha256: previous?.sha256 ?? null,
          videoSha256: outputs.video.sha256,
        },
      },
      trx
    )
    return true
  })
}
