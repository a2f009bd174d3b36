/**
 * Output files are written under a temporary name and renamed when complete, so a file with
 * the final name is always whole; their sha256 is read back by streaming, never by loading.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'

export interface FileDigest {
  bytes: number
  sha256: string
}

export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), hash)
  const { size } = await stat(path)
  return { bytes: size, sha256: hash.digest('hex') }
}

/** `dir/video.mp4` → `dir/video.partial.mp4`: the extension stays, so ffmpeg picks the muxer. */
export function partialPath(path: string) {
  const ext = extname(path)
  return join(dirname(path), `${basename(path, ext)}.partial${ext}`)
}

/** Runs `write(tempPath)` and renames on success; the temp file is removed on failure. */
export async function writeAtomically(path: string, write: (tempPath: string) => Promise<void>) {
  const temp = partialPath(path)
  try {
    await write(temp)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

export async function writeJsonAtomically(path: string, value: unknown) {
  await writeAtomically(path, (temp) => writeFile(temp, JSON.stringify(value, null, 2) + '\n'))
}
