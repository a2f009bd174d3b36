/*
 * Readings of the instance settings form's values that the validator and the settings
 * service both make: the validator to refuse bad input, the service to store what passed.
 */

/** The image type a file's first bytes show, or null; never the name or the browser's word. */
export function sniffImage(head: Uint8Array): 'image/png' | 'image/jpeg' | 'image/webp' | null {
  const starts = (bytes: number[], at = 0) =>
    bytes.every((byte, index) => head[at + index] === byte)
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  // RIFF....WEBP
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  return null
}

/** Splits a comma- or line-separated list into trimmed, lower-case entries. */
export function splitSports(input: string) {
  return input
    .split(/[\n,]/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0)
}
