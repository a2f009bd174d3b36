/*
 * Pipeline benchmark (not a test): for each clip in ../shared/media, the pipeline without
 * models against a plain one-process ffmpeg transcode to the same target, with peak memory.
 *
 *   node --import @poppinss/ts-exec bench/pipeline.ts [repeats]
 *
 * "pipeline" is the whole run (probe, decode → frames through Node → encode with the thumbnail
 * and preview made from the encoder's frames, hashes, metadata). "same outputs" is one ffmpeg
 * process making the same video, thumbnail and preview from the original: the like-for-like
 * figure, and `ratio` compares against it. "transcode" is the video alone, for reference.
 * With repeats > 1 the fastest run of each is kept. Needs only ffmpeg: no database or Redis.
 */
import { readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { runPipeline } from '../workers/pipeline/run.js'
import { DEFAULT_PIPELINE_OPTIONS } from '../workers/pipeline/types.js'
import { plainFfmpeg } from './plain_ffmpeg.js'
import { probe } from '../workers/video/probe.js'

const repeats = Number(process.argv[2] ?? 1)
const media = new URL('../../shared/media/', import.meta.url).pathname
const clips = readdirSync(media)
  .filter((name) => name.endsWith('.mp4'))
  .sort()
  .map((name) => join(media, name))
const work = await mkdtemp(join(tmpdir(), 'athera-bench-pipeline-'))
const options = { ...DEFAULT_PIPELINE_OPTIONS, processors: [] }

/** A status field in KiB, or 0 once the process is gone. */
async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM') {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
}

async function descendants(pid: number): Promise<number[]> {
  const listed = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
  const children = listed.split(' ').filter(Boolean).map(Number)
  const nested = await Promise.all(children.map(descendants))
  return [...children, ...nested.flat()]
}

/**
 * Samples peak memory while `body` runs: the Node process's RSS, and the largest high-water
 * mark of any ffmpeg child (VmHWM is kept by the kernel, so a sample shortly before exit is exact).
 */
async function measure<T>(body: () => Promise<T>) {
  let nodePeak = 0
  let ffmpegPeak = 0
  let running = true
  const sampler = (async () => {
    while (running) {
      nodePeak = Math.max(nodePeak, await statusKiB(process.pid, 'VmRSS'))
      for (const pid of await descendants(process.pid))
        ffmpegPeak = Math.max(ffmpegPeak, await statusKiB(pid, 'VmHWM'))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  const started = performance.now()
  const value = await body()
  const seconds = (performance.now() - started) / 1000
  running = false
  await sampler
  return { value, seconds, nodePeakMiB: nodePeak / 1024, ffmpegPeakMiB: ffmpegPeak / 1024 }
}

const rows: Record<string, string | number>[] = []
try {
  for (const clip of clips) {
    const source = await probe(clip)
    const sourceFps = source.video[0].fps
    const frames = Math.max(1, Math.round(source.durationSeconds * options.fps))
    let plain = { seconds: Infinity, ffmpegPeakMiB: 0 }
    let catalog = { seconds: Infinity }
    let pipe = { seconds: Infinity, frames: 0, nodePeakMiB: 0, ffmpegPeakMiB: 0 }
    for (let run = 0; run < repeats; run++) {
      const plainRun = await measure(() =>
        plainFfmpeg(clip, work, { sourceFps, frames, catalog: false })
      )
      if (plainRun.seconds < plain.seconds) plain = plainRun
      const catalogRun = await measure(() =>
        plainFfmpeg(clip, work, { sourceFps, frames, catalog: true })
      )
      if (catalogRun.seconds < catalog.seconds) catalog = catalogRun
      const outDir = join(work, `${basename(clip)}-${run}`)
      const pipeRun = await measure(() =>
        runPipeline({ inputPath: clip, outDir, clip: { clipId: 'bench' } }, options)
      )
      if (pipeRun.seconds < pipe.seconds) {
        pipe = {
          ...pipeRun,
          frames: (pipeRun.value.metadata.output as { frameCount: number }).frameCount,
        }
      }
      await rm(outDir, { recursive: true, force: true })
    }
    rows.push({
      'clip': basename(clip),
      'source': `${source.video[0].width}x${source.video[0].height}@${Math.round(sourceFps)}`,
      'frames': pipe.frames,
      'transcode s': plain.seconds.toFixed(2),
      'same outputs s': catalog.seconds.toFixed(2),
      'pipeline s': pipe.seconds.toFixed(2),
      'ratio': (pipe.seconds / catalog.seconds).toFixed(2),
      'vs transcode': (pipe.seconds / plain.seconds).toFixed(2),
      'fps': (pipe.frames / pipe.seconds).toFixed(1),
      'node peak MiB': pipe.nodePeakMiB.toFixed(0),
      'ffmpeg peak MiB': pipe.ffmpegPeakMiB.toFixed(0),
      'plain ffmpeg MiB': plain.ffmpegPeakMiB.toFixed(0),
    })
  }
} finally {
  await rm(work, { recursive: true, force: true })
}

console.log(
  `Pipeline benchmark: ${clips.length} clips, ${cpus().length} CPUs, target ${options.width}x${options.height}@${options.fps}, best of ${repeats}`
)
console.table(rows)
const total = (key: string) => rows.reduce((sum, row) => sum + Number(row[key]), 0)
console.log(
  `total: pipeline ${total('pipeline s').toFixed(2)} s; one ffmpeg making the same outputs ${total('same outputs s').toFixed(2)} s ` +
    `(ratio ${(total('pipeline s') / total('same outputs s')).toFixed(2)}, target ≤ 1.30); ` +
    `transcode alone ${total('transcode s').toFixed(2)} s (ratio ${(total('pipeline s') / total('transcode s')).toFixed(2)})`
)
