import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { SKILL_LEVELS } from '#models/clip'
import { ConsentService } from '#app/consent/public'
import { SettingsStore } from '#app/core/settings_store'
import { UploadService } from '#app/uploads/upload_service'
import { CAMERA_ANGLES, VENUE_TYPES } from '#app/uploads/validators'

/** The chunk the page sends per request: large enough to be fast, small enough to resume. */
export const UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024

/**
 * What the upload page needs: the batch's consent (uploads start only under one), the
 * instance's choices for the clip form, and the creator's room left.
 */
@inject()
export class UploadPageService {
  constructor(
    protected consent: ConsentService,
    protected settings: SettingsStore,
    protected uploads: UploadService
  ) {}

  async forCreator(user: User, consentParam: unknown) {
    const settings = await this.settings.all()
    let grant = null
    let consentProblem: string | null = null
    const consentId = Number(consentParam)
    if (Number.isInteger(consentId) && consentId > 0) {
      grant = await this.consent.assertUsableGrant(user, consentId).catch((error: Error) => {
        consentProblem = error.message
        return null
      })
    }
    const used = await this.uploads.bytesUsed(user)
    return {
      grant,
      consentProblem,
      sports: settings.sports,
      skillLevels: SKILL_LEVELS,
      cameraAngles: CAMERA_ANGLES,
      venueTypes: VENUE_TYPES,
      maxBytes: settings.upload_max_bytes,
      quota: { used, total: settings.creator_quota_bytes },
      chunkBytes: UPLOAD_CHUNK_BYTES,
    }
  }
}
