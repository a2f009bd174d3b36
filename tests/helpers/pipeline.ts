import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import app from '@adonisjs/core/services/app'
import { runPipeline } from '#workers/pipeline/run'
import {
  DEFAULT_PIPELINE_OPTIONS,
  type FrameProcessor,
  type PipelineOptions,
} from '#workers/pipeline/types'

const run = promisify(execFile)

/** Runs the pipeline with the default settings, overridden by `options`. */
export function processClip(
  inputPath: string,
  outDir: string,
  options: Partial<PipelineOptions> = {},
  hooks = {}
) {
  const processors: FrameProcessor[] = options.processors ?? []
  return runPipeline(
    {
      inputPath,
      outDir,
      clip: {
        clipId: 'clip-test',
        title: 'Test clip',
        sport: 'basketball',
        tags: ['test'],
        recordedOn: '2024-05-01',
        consentRecordId: 7,
        consentTextVersion: 2,
      },
    },
    { ...DEFAULT_PIPELINE_OPTIONS, ...options, processors },
    hooks
  )
}

/** ffprobe's full JSON for a file (streams, format, tags, side data). */
export async function ffprobeJson(path: string) {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    path,
  ])
  return JSON.parse(stdout) as { format: any; streams: any[] }
}

/** One decoded frame of `path` at `seconds`, as RGB24 at the file's own size. */
export async function rgbFrameAt(path: string, seconds: number) {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(seconds),
      '-i',
      path,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }
  )
  return stdout
}

/** Mean luma (0–255) over every frame, on a small grey rendition. */
export async function meanBrightness(path: string) {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', 'scale=64:36,format=gray', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }
  )
  let sum = 0
  for (const value of stdout) sum += value
  return sum / stdout.length
}

/** Validators for the two published JSON Schemas. */
export async function schemaValidators() {
  const ajv = new Ajv2020({ allErrors: true, strict: true })
  addFormats.default(ajv)
  const load = async (name: string) =>
    JSON.parse(await readFile(app.makePath('workers/pipeline/schemas', name), 'utf8'))
  return {
    keypoints: ajv.compile(await load('keypoints.schema.json')),
    metadata: ajv.compile(await load('metadata.schema.json')),
  }
}

/** Format and stream tags an MP4 always has, that say nothing about who filmed it. */
export const STRUCTURAL_TAGS: Record<string, (value: string) => boolean> = {
  major_brand: () => true,
  minor_version: () => true,
  compatible_brands: () => true,
  language: (value) => value === 'und',
  handler_name: (value) => ['VideoHandler', 'SoundHandler'].includes(value),
  vendor_id: (value) => value === '[0][0][0][0]',
  encoder: (value) => /^Lavc (libx264|aac)$/.test(value) || value === 'Lavc',
}

/** Tags ffprobe lists that are not structural: must be none. */
export function identifyingTags(probe: { format: any; streams: any[] }) {
  const tags = [probe.format.tags ?? {}, ...probe.streams.map((stream) => stream.tags ?? {})]
  return tags.flatMap((set: Record<string, string>) =>
    Object.entries(set)
      .filter(([key, value]) => !STRUCTURAL_TAGS[key]?.(value))
      .map(([key, value]) => `${key}=${value}`)
  )
}
