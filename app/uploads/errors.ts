import { FeatureError, defineErrors } from '#app/core/errors'
import { formatBytes } from '#app/core/format'

/**
 * uploads/' refusals: the creator reads the sentence as is (tus answers it as the body), the
 * log keeps the code. A sentence taking `why` quotes what another check said (the consent
 * service, the container sniffer, ffprobe, the metadata validator).
 */
export class UploadError extends FeatureError<UploadErrorCode> {}

const quoted = ({ why }: { why: string }) => why

export const uploadErrors = defineErrors(UploadError, {
  E_CONSENT: { status: 403, sentence: quoted },
  E_EMPTY: { status: 400, sentence: 'The file is empty (0 bytes).' },
  E_TOO_LARGE: {
    status: 413,
    sentence: ({ bytes, max }: { bytes: number; max: number }) =>
      `The file is ${formatBytes(bytes)}; the largest upload this instance accepts is ${formatBytes(max)}.`,
  },
  E_QUOTA: {
    status: 413,
    sentence: ({ total, quota }: { total: number; quota: number }) =>
      `This upload would bring your storage to ${formatBytes(total)}, over your quota of ${formatBytes(quota)}. Withdraw clips you no longer share, or ask an administrator for more space.`,
  },
  E_BAD_FILENAME: {
    status: 400,
    sentence: ({ name }: { name: string }) =>
      `The file name “${name.slice(0, 80)}” is not allowed: rename the file without folders or special characters.`,
  },
  E_BAD_METADATA: {
    status: 400,
    sentence: (params?: { why: string }) =>
      params?.why ?? 'The upload did not say how large the file is.',
  },
  E_NOT_FOUND: { status: 404, sentence: 'There is no such upload.' },
  E_GONE: { status: 410, sentence: 'This upload has ended; start it again.' },
  E_OFFSET_MISMATCH: {
    status: 409,
    sentence: ({ at, sent }: { at: number; sent: number }) =>
      `The upload is at byte ${at}, not ${sent}.`,
  },
  E_OVERFLOW: { status: 400, sentence: 'More bytes arrived than the upload declared.' },
  E_CONTAINER: {
    status: 415,
    sentence: (params?: { why: string | null }) =>
      params?.why ?? 'This file is not a supported video: upload MP4, MOV, MKV, WebM or AVI.',
  },
  E_UNREADABLE: {
    status: 422,
    sentence: (params?: { why: string }) =>
      params?.why ?? 'The upload could not be stored. Try again in a moment.',
  },
  E_NO_VIDEO: { status: 422, sentence: 'The file has no video stream (is it audio only?).' },
  E_DURATION: {
    status: 422,
    sentence: ({ seconds, min, max }: { seconds: number; min: number; max: number }) =>
      `The video lasts ${seconds.toFixed(1)} s; this instance accepts ${min} s to ${Math.round(max / 60)} min.`,
  },
  E_RESOLUTION: {
    status: 422,
    sentence: ({
      width,
      height,
      minShort,
      maxLong,
    }: {
      width: number
      height: number
      minShort: number
      maxLong: number
    }) =>
      `The video is ${width}×${height}; this instance accepts at least ${minShort}p and at most ${maxLong} pixels wide.`,
  },
  E_DUPLICATE: {
    status: 409,
    sentence: ({ title, day }: { title: string; day: string }) =>
      `You already uploaded this video as “${title}” on ${day}.`,
  },
  E_EMBEDDED_SCRIPT: {
    status: 422,
    sentence: ({ script }: { script: string }) =>
      `This file carries a playlist or script (“${script}”) inside it, which a video never needs: export the video again from your camera or editor and upload that file.`,
  },
  E_BUSY: {
    status: 409,
    sentence:
      'Another request is sending this upload right now: wait for it to finish, then resume.',
  },
})
export type UploadErrorCode =
  | 'E_CONSENT'
  | 'E_EMPTY'
  | 'E_TOO_LARGE'
  | 'E_QUOTA'
  | 'E_BAD_FILENAME'
  | 'E_BAD_METADATA'
  | 'E_NOT_FOUND'
  | 'E_GONE'
  | 'E_OFFSET_MISMATCH'
  | 'E_OVERFLOW'
  | 'E_CONTAINER'
  | 'E_UNREADABLE'
  | 'E_NO_VIDEO'
  | 'E_DURATION'
  | 'E_RESOLUTION'
  | 'E_DUPLICATE'
  | 'E_EMBEDDED_SCRIPT'
  | 'E_BUSY'
