import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import config from '#config/athera'
import ProcessingRun from '#models/processing_run'
import type { JobContext } from '#jobs/registry'
import { ClipProcessingService } from '#app/processing/clip_processing_service'
import { isolate } from '#tests/helpers/reset'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { sharedMediaAvailable, shortClip, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'
import { emptyBuckets } from '#tests/helpers/s3'

const exec = promisify(execFile)

function context(overrides: Partial<JobContext> = {}): JobContext {
  return {
    jobId: 'limits',
    attempt: 1,
    finalAttempt: false,
    reportProgress: async () => {},
    ...overrides,
  }
}

/** ffmpeg children of this process still running: a stopped run must leave none. */
async function ffmpegChildren() {
  const { stdout } = await exec('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]).catch(
    () => ({ stdout: '' })
  )
  return stdout.split('\n').filter((line) => /ffmpeg|ffprobe/.test(line))
}

/**
 * A Matroska file whose header says 2 s over a stream of 60 s: the Segment's Duration element
 * and the track's DURATION tag are rewritten in place, so ffprobe reports 2 s while every one of
 * the 300 frames (5 fps: little work before the bound) still decodes.
 */
async function lyingClip(dir: string) {
  const path = join(dir, 'lying.mkv')
  await exec(config.media.ffmpegPath, [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=5',
    '-t',
    '60',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '10',
    path,
  ])
  const bytes = await readFile(path)
  const at = bytes.indexOf(Buffer.from([0x44, 0x89]))
  const size = bytes[at + 2] & 0x7f
  if (size === 8) bytes.writeDoubleBE(2000, at + 3)
  else bytes.writeFloatBE(2000, at + 3)
  const tag = bytes.indexOf('00:01:00.000000000')
  if (tag !== -1) bytes.write('00:00:02.000000000', tag)
  await writeFile(path, bytes)
  const { stdout } = await exec(config.media.ffprobePath, [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    path,
  ])
  return { path, declared: Number(stdout.trim()) }
}

test.group('process-clip: bounded work', (group) => {
  group.each.setup(isolate)
  group.each.setup(emptyBuckets)

  test('a header that says 2 s on a stream of 60 s fails the clip at once, with no ffmpeg left running', async ({
    assert,
    cleanup,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'athera-lying-'))
    cleanup(() => rm(dir, { recursive: true, force: true }))
    const { path, declared } = await lyingClip(dir)
    assert.approximately(declared, 2, 0.1, 'ffprobe believes the header')
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, path, { durationMs: 2000 })
    const processing = await app.container.make(ClipProcessingService)

    // Not the last attempt, yet the clip fails for good: a retry would only repeat it.
    await assert.rejects(() => processing.process(clip.id, context()))

    await clip.refresh()
    assert.equal(clip.status, 'failed')
    assert.match(clip.statusReason ?? '', /runs longer than the 00:02 its file declares/)
    assert.equal(clip.failedStep, 'standardize')
    assert.deepEqual(await ffmpegChildren(), [])
    const [run] = await ProcessingRun.query().where('clip_id', clip.id)
    assert.equal(run.errorCode, 'E_DURATION_MISMATCH')
    await clip.load('assets')
    assert.deepEqual(
      clip.assets.map((asset) => asset.kind),
      ['raw']
    )
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)

  test('a run past its time limit is stopped: the clip fails with a sentence and the worker is free', async ({
    assert,
    cleanup,
  }) => {
    const saved = { ...config.pipeline.timeLimit }
    // One second for any clip: the standardize step cannot finish in it.
    Object.assign(config.pipeline.timeLimit, { factor: 0.01, minSeconds: 1 })
    cleanup(() => void Object.assign(config.pipeline.timeLimit, saved))
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const processing = await app.container.make(ClipProcessingService)

    await assert.rejects(() => processing.process(clip.id, context()))

    await clip.refresh()
    assert.equal(clip.status, 'failed')
    assert.match(
      clip.statusReason ?? '',
      /took longer than the 1 second allowed for a clip of this length/
    )
    const [run] = await ProcessingRun.query().where('clip_id', clip.id)
    assert.equal(run.errorCode, 'E_TIME_LIMIT')
    assert.deepEqual(await ffmpegChildren(), [], 'the ffmpeg children were killed')

    // The worker takes the next clip at once: the vision thread is not held by the stopped run.
    Object.assign(config.pipeline.timeLimit, saved)
    const next = await uploadedClip(await makeUser('creator'), shortClip())
    await processing.process(next.clip.id, context({ finalAttempt: true }))
    await next.clip.refresh()
    assert.equal(next.clip.status, 'processed')
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)
})
