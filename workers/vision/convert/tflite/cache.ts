/**
 * Converted models live in a cache folder, named by the source file and the sha256 of its bytes,
 * so a package upgrade that changes the weights gets a fresh conversion while an unchanged file is
 * converted once per machine. Writes go to a temporary file renamed into place, so a reader never
 * sees a half-written model and concurrent processes at worst convert twice.
 */
import { createHash, randomBytes } from 'node:crypto'
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { convertTflite } from './convert.js'

/**
 * Part of each converted model's file name: raised when the converter's output changes, so
 * caches made by an older converter (a league's model volume) are converted again, not reused.
 * 2: any batch size. 3: channel padding as an identity 1×1 convolution.
 */
export const TFLITE_CONVERT_VERSION = 3

/** Conversions in flight in this process, by target path. */
const pending = new Map<string, Promise<string>>()

/** Makes the ONNX bytes from the source file's bytes (`file`: its name, for errors). */
type Build = (bytes: Uint8Array, file: string) => Uint8Array | Promise<Uint8Array>

/** How many conversions this process actually ran (for tests and logs). */
export const conversions = { count: 0 }

/**
 * The cached .onnx path for `tflitePath`, converting it first when it is not there yet.
 * `outputs` keeps only those TFLite outputs (see ConvertOptions); it is part of the name.
 */
export function convertCached(
  tflitePath: string,
  cacheDir: string,
  options: { outputs?: number[] } = {}
): Promise<string> {
  const only = options.outputs ? `-out${options.outputs.join('_')}` : ''
  return buildCached(tflitePath, cacheDir, `-v${TFLITE_CONVERT_VERSION}${only}`, (bytes, file) =>
    convertTflite(bytes, { name: file, outputs: options.outputs })
  )
}

/**
 * The cached .onnx path for a model `build` makes from the bytes of `sourcePath` (named by the
 * source, the sha256 of its bytes and `suffix`), building it first when it is not there yet.
 */
export async function buildCached(
  sourcePath: string,
  cacheDir: string,
  suffix: string,
  build: Build
): Promise<string> {
  const bytes = await readFile(sourcePath)
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
  const file = basename(sourcePath)
  const target = join(cacheDir, `${basename(file, extname(file))}-${digest}${suffix}.onnx`)

  let job = pending.get(target)
  if (!job) {
    job = ensure(bytes, file, target, cacheDir, build)
    pending.set(target, job)
    // Only callers that overlap share a job; later ones check the disk again, so a deleted cache
    // file is rebuilt and a failed conversion (e.g. disk full) is retried.
    const forget = () => pending.delete(target)
    job.then(forget, forget)
  }
  return job
}

async function ensure(
  bytes: Uint8Array,
  file: string,
  target: string,
  cacheDir: string,
  build: Build
) {
  if (await exists(target)) return target
  await mkdir(cacheDir, { recursive: true })
  conversions.count++
  const onnx = await build(bytes, file)
  const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temporary, onnx)
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
  return target
}

async function exists(path: string) {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
