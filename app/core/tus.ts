/**
 * The parts of the tus 1.0.0 protocol (https://tus.io/protocols/resumable-upload) the
 * upload endpoints speak: core, creation, expiration and termination.
 */
export const TUS_VERSION = '1.0.0'
export const TUS_EXTENSIONS = 'creation,expiration,termination'

/** `Upload-Metadata: key base64value,key2 base64value2` → { key: value, key2: value2 }. */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = {}
  if (!header) return metadata
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ')
    if (!key) continue
    metadata[key] = value ? Buffer.from(value, 'base64').toString('utf8') : ''
  }
  return metadata
}

/** Encodes metadata the way clients send it (tests and the benchmark use it). */
export function encodeUploadMetadata(values: Record<string, string | number | undefined>) {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key} ${Buffer.from(String(value)).toString('base64')}`)
    .join(',')
}
