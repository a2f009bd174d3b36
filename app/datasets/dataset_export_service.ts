import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type Licence from '#models/licence'
import { SettingsStore } from '#app/core/settings_store'
import { StorageService } from '#app/core/storage_service'
import { type ZipEntry, bufferEntry, zipStream } from '#app/core/zip_stream'
import { exportErrors } from '#app/datasets/errors'
import { exportDocuments } from '#app/datasets/export_documents'
import { exportFiles, loadExportPlan, type ExportPlan } from '#app/datasets/export_plan'

/*
 * What a licence delivers: the files of its dataset version's immutable manifest, laid out so
 * ML tools load them as they are (Hugging Face videofolder, Croissant), with a dataset card and
 * SHA256SUMS. Raw footage is never part of it: a manifest naming the raw bucket is refused
 * (manifest.ts). The plan is read in export_plan.ts, the documents written by export_documents.ts.
 */

// bench/zip.ts names the plan's type from here.
export type { ExportPlan }

@inject()
export class DatasetExportService {
  constructor(
    protected storage: StorageService,
    protected settings: SettingsStore
  ) {}

  /** Loads the version, its manifest, the clips' current status, consent and processing records. */
  plan(licence: Licence): Promise<ExportPlan> {
    return loadExportPlan(licence, this.settings)
  }

  /** Every delivered file, manifest order. */
  files(plan: ExportPlan) {
    return exportFiles(plan)
  }

  /** `<slug>-v<n>.zip` */
  archiveName(plan: ExportPlan) {
    return `${plan.dataset.slug}-v${plan.version.version}.zip`
  }

  /**
   * The ZIP as a stream: generated documents first (their hashes are known before they go
   * out), then each object straight from storage, its size and sha256 checked against the
   * manifest as it passes. A mismatch or a missing object aborts the stream.
   */
  zip(plan: ExportPlan, onFailure: (error: Error) => void = () => {}) {
    const documents = exportDocuments(plan)
    const storage = this.storage
    const licenceId = plan.licence.id
    const fileEntries = this.files(plan).map((file): ZipEntry => ({
      name: file.path,
      method: file.kind === 'video' || file.kind === 'thumbnail' ? 'store' : 'deflate',
      size: file.bytes,
      open: async () => {
        try {
          return await storage.getStream(file.bucket, file.key)
        } catch (error) {
          const code = (error as { code?: string }).code
          if (code === 'NoSuchKey' || code === 'NotFound') {
            throw exportErrors.raise('E_OBJECT_MISSING', undefined, {
              detail: `${file.path} (${file.bucket}/${file.key}) is not in storage`,
            })
          }
          throw error
        }
      },
      verify: (result) => {
        if (result.size !== file.bytes) {
          throw exportErrors.raise('E_SIZE_MISMATCH', undefined, {
            detail: `${file.path} has ${result.size} bytes, the manifest says ${file.bytes}`,
          })
        }
        if (result.sha256 !== file.sha256) {
          throw exportErrors.raise('E_SHA256_MISMATCH', undefined, {
            detail: `${file.path} does not match its manifest sha256`,
          })
        }
      },
    }))
    const stream = zipStream(
      [...documents.map((doc) => bufferEntry(doc.path, doc.data)), ...fileEntries],
      {
        mtime: plan.version.publishedAt.toJSDate(),
      }
    )
    stream.once('error', (error) => {
      logger.error({ err: error, licenceId, versionId: plan.version.id }, 'dataset ZIP aborted')
      onFailure(error)
    })
    return stream
  }
}
