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

const STATUS: Record<UploadErrorCode, number> = {
  E_CONSENT: 403,
  E_EMPTY: 400,
  E_TOO_LARGE: 413,
  E_QUOTA: 413,
  E_BAD_FILENAME: 400,
  E_BAD_METADATA: 400,
  E_NOT_FOUND: 404,
  E_GONE: 410,
  E_OFFSET_MISMATCH: 409,
  E_OVERFLOW: 400,
  E_CONTAINER: 415,
  E_UNREADABLE: 422,
  E_NO_VIDEO: 422,
  E_DURATION: 422,
  E_RESOLUTION: 422,
  E_DUPLICATE: 409,
  E_EMBEDDED_SCRIPT: 422,
  E_BUSY: 409,
}

/** A refusal the creator reads as is; the code goes to the log. */
export class UploadError extends Error {
  readonly status: number
  constructor(
    readonly code: UploadErrorCode,
    message: string
  ) {
    super(message)
    this.status = STATUS[code]
  }
}
