import '#app/core/validation_messages'
import vine from '@vinejs/vine'
import { SKILL_LEVELS } from '#models/clip'

/** Labels shown on the upload form; the values are stored. */
export const CAMERA_ANGLES = [
  'broadcast',
  'sideline',
  'end-line',
  'elevated',
  'handheld',
  'body-worn',
  'drone',
  'other',
] as const
export const VENUE_TYPES = [
  'outdoor-pitch',
  'indoor-court',
  'track',
  'gym',
  'pool',
  'street',
  'other',
] as const

/**
 * What a creator says about a clip, sent as tus `Upload-Metadata`. The sport list is the
 * instance's, so it is passed in as metadata of the validation.
 */
export const uploadMetadataValidator = vine.withMetaData<{ sports: string[] }>().create({
  consentId: vine.number().positive().withoutDecimals(),
  filename: vine.string().trim().minLength(1).maxLength(255),
  filetype: vine.string().trim().maxLength(100).optional(),
  title: vine.string().trim().minLength(2).maxLength(160),
  sport: vine
    .string()
    .trim()
    .in((_field) => (_field.meta as { sports: string[] }).sports),
  activity: vine.string().trim().maxLength(120).optional(),
  skillLevel: vine.enum(SKILL_LEVELS).optional(),
  cameraAngle: vine.enum(CAMERA_ANGLES).optional(),
  venueType: vine.enum(VENUE_TYPES).optional(),
  recordedOn: vine
    .date({ formats: ['YYYY-MM-DD'] })
    .beforeOrEqual('today')
    .optional(),
  tags: vine.string().trim().maxLength(500).optional(),
})
