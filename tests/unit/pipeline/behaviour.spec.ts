import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, readFile, rm, stat, truncate } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeStall, watchEventLoop } from '#tests/helpers/event_loop'
import {
  SKIP_WITHOUT_MEDIA,
  SHARED_MEDIA,
  ffmpegMake,
  sharedMediaAvailable,
} from '#tests/helpers/media'
import {
  ffprobeJson,
  identifyingTags,
  meanBrightness,
  processClip,
  rgbFrameAt,
} from '#tests/helpers/pipeline'
import {
  PipelineError,
  type Frame,
  type FrameProcessor,
  type Keypoint,
  type StepName,
} from '#workers/pipeline/types'
import { probe } from '#workers/video/probe'
import { BLACK, fill, grey } from '#workers/video/yuv'

const CLIP_720P = join(SHARED_MEDIA, 'two_people_indoor_1280x720_3s.mp4')
const STEPS: StepName[] = ['probe', 'standardize', 'thumbnail', 'preview', 'metadata']

test.group('Pipeline behaviour', (group) => {
  let work: string
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-pipeline-'))
    return () => rm(work, { recursive: true, force: true })
  })
  group.each.timeout(120_000)

  test('a phone clip with a rotation and GPS, date and device tags comes out upright and untagged', async ({
    assert,
  }) => {
    // Given a landscape picture, red in its top-left corner, tagged to be shown rotated, with
    // the tags a phone writes.
    const plain = await ffmpegMake(join(work, 'plain.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=320x240:d=1:r=30',
      '-vf',
      'drawbox=x=0:y=0:w=80:h=60:color=red:t=fill',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
    ])
    const phone = await ffmpegMake(join(work, 'phone.mp4'), [
      '-i',
      plain,
      '-c',
      'copy',
      '-metadata',
      'creation_time=2024-01-01T10:00:00Z',
      '-metadata',
      'location=+48.8566+002.3522/',
      '-metadata',
      'com.apple.quicktime.location.ISO6709=+48.8566+002.3522/',
      '-metadata',
      'com.apple.quicktime.model=iPhone 15',
      '-metadata:s:v:0',
      'rotate=90',
      '-metadata:s:v:0',
      'handler_name=Core Media Video',
      '-movflags',
      'use_metadata_tags',
    ])
    const planted = await ffprobeJson(phone)
    assert.includeMembers(Object.keys(planted.format.tags), [
      'creation_time',
      'location',
      'com.apple.quicktime.location.ISO6709',
    ])
    // A display matrix turning the picture a quarter counter-clockwise: red ends bottom-left.
    const probed = await probe(phone)
    assert.equal(probed.video[0].rotation, 270)

    const result = await processClip(phone, join(work, 'phone-out'))

    const output = await ffprobeJson(result.outputs.video.path)
    assert.deepEqual(identifyingTags(output), [])
    assert.notExists(
      output.streams[0].side_data_list,
      'no display matrix: the pixels are already upright'
    )
    // The portrait picture is 540x720 centred in 1280x720 (x 370–910): red bottom-left only.
    const frame = await rgbFrameAt(result.outputs.video.path, 0.5)
    const pixel = (x: number, y: number) => [
      ...frame.subarray((y * 1280 + x) * 3, (y * 1280 + x) * 3 + 3),
    ]
    const isRed = ([r, g, b]: number[]) => r > 180 && g < 80 && b < 80
    const isBlue = ([r, g, b]: number[]) => b > 180 && r < 80 && g < 80
    assert.isTrue(isRed(pixel(400, 690)), `bottom-left ${pixel(400, 690)}`)
    assert.isTrue(isBlue(pixel(400, 30)), `top-left ${pixel(400, 30)}`)
    assert.isTrue(isBlue(pixel(880, 30)), `top-right ${pixel(880, 30)}`)
    assert.deepEqual(pixel(100, 360), [0, 0, 0], 'padding is black')
    for (const kind of ['thumbnail', 'preview'] as const) {
      assert.deepEqual(identifyingTags(await ffprobeJson(result.outputs[kind].path)), [])
    }
  })

  test('audio is removed by default and kept as AAC on request', async ({ assert }) => {
    const withAudio = await ffmpegMake(join(work, 'audio.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=640x360:r=25:d=2',
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:d=2',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
    ])
    const silent = await processClip(withAudio, join(work, 'audio-default'))
    const kept = await processClip(withAudio, join(work, 'audio-kept'), { keepAudio: true })

    const probed = await ffprobeJson(silent.outputs.video.path)
    const silentStreams = probed.streams
    assert.deepEqual(
      silentStreams.map((stream) => stream.codec_type),
      ['video']
    )
    const keptProbe = await ffprobeJson(kept.outputs.video.path)
    const audio = keptProbe.streams.find((stream) => stream.codec_type === 'audio')
    assert.equal(audio?.codec_name, 'aac')
    assert.deepEqual(identifyingTags(keptProbe), [])
    assert.isTrue(kept.metadata.output && (kept.metadata.output as any).audio)
  })

  test('the encoder makes the thumbnail (10% in) and the preview from its own frames', async ({
    assert,
  }) => {
    // Red for the first 0.2 s (frames 0–5 of 60), blue from frame 6, the thumbnail's frame.
    const clip = await ffmpegMake(join(work, 'red-then-blue.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=320x240:d=2:r=30',
      '-vf',
      "drawbox=x=0:y=0:w=iw:h=ih:color=blue:t=fill:enable='gte(n,6)'",
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
    ])
    const states: string[] = []
    const result = await processClip(
      clip,
      join(work, 'catalog'),
      {},
      { onStep: (step: StepName, state: string) => states.push(`${step}:${state}`) }
    )

    const steps = JSON.parse(await readFile(join(work, 'catalog', 'steps.json'), 'utf8'))
    const catalog = steps.steps.standardize.data.catalog
    assert.equal(
      catalog.thumbnail,
      result.outputs.thumbnail.sha256,
      'the thumbnail is the one the encoder wrote'
    )
    assert.equal(
      catalog.preview,
      result.outputs.preview.sha256,
      'the preview is the one the encoder wrote'
    )
    assert.includeMembers(states, ['thumbnail:done', 'preview:done'])
    // 640x360: the 4:3 picture centred in the 16:9 frame.
    const thumbnail = await rgbFrameAt(result.outputs.thumbnail.path, 0)
    assert.equal(thumbnail.length, 640 * 360 * 3)
    const centre = [...thumbnail.subarray((180 * 640 + 320) * 3, (180 * 640 + 320) * 3 + 3)]
    assert.isTrue(
      centre[2] > 180 && centre[0] < 80,
      `the thumbnail is frame 6 (blue), got ${centre}`
    )
    const preview = await ffprobeJson(result.outputs.preview.path)
    assert.equal(Number(preview.streams[0].nb_frames), 60)
  })

  test("a clip whose audio runs on past its video is processed to the video's length", async ({
    assert,
  }) => {
    const clip = await ffmpegMake(join(work, 'long-audio.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x240:r=30:d=1',
      '-f',
      'lavfi',
      '-i',
      'sine=f=440:d=6',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
    ])
    const probed = await probe(clip)
    assert.isAbove(probed.durationSeconds, 5)

    const result = await processClip(clip, join(work, 'long-audio-out'))

    assert.equal((result.metadata.output as any).frameCount, 30)
    assert.isAbove(result.outputs.thumbnail.bytes, 0)
  })

  test('a second run on the same folder skips every step and keeps the outputs')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const outDir = join(work, 'twice')
      const first = await processClip(CLIP_720P, outDir)
      assert.deepEqual(first.skipped, [])

      const states: string[] = []
      const second = await processClip(
        CLIP_720P,
        outDir,
        {},
        { onStep: (step: StepName, state: string) => states.push(`${step}:${state}`) }
      )

      assert.deepEqual(second.skipped, STEPS)
      assert.deepEqual(
        states,
        STEPS.map((step) => `${step}:skipped`)
      )
      assert.deepEqual(second.timings, {})
      for (const kind of Object.keys(first.outputs) as (keyof typeof first.outputs)[]) {
        assert.equal(second.outputs[kind].sha256, first.outputs[kind].sha256)
      }
    })

  test('a damaged output is rebuilt by the next run, and the steps after it too')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const outDir = join(work, 'damaged')
      await processClip(CLIP_720P, outDir)
      await truncate(join(outDir, 'thumbnail.jpg'), 100)

      const again = await processClip(CLIP_720P, outDir)

      assert.deepEqual(again.skipped, ['probe', 'standardize'])
      const stats = await stat(join(outDir, 'thumbnail.jpg'))
      assert.isAbove(stats.size, 100)
    })

  test('a truncated clip fails with a coded error and a sentence')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      // Index at the front (faststart): it probes fine and breaks while decoding.
      const broken = await ffmpegMake(join(work, 'broken.mp4'), [
        '-i',
        join(SHARED_MEDIA, 'vtest_walking_768x576_8s.mp4'),
        '-c',
        'copy',
        '-movflags',
        '+faststart',
      ])
      const stats = await stat(broken)
      await truncate(broken, Math.floor(stats.size * 0.4))

      const error = await processClip(broken, join(work, 'broken-out')).catch((caught) => caught)

      assert.instanceOf(error, PipelineError)
      assert.include(['E_DECODE_FAILED', 'E_INPUT_UNREADABLE'], error.code)
      assert.match(error.message, /^The .+\.$/)
      if (error.code === 'E_DECODE_FAILED') assert.match(error.message, /corrupt at \d\d:\d\d/)
    })

  test('a file that is not a video fails with E_INPUT_UNREADABLE', async ({ assert }) => {
    const text = join(work, 'notes.mp4')
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(text, 'not a video at all\n'.repeat(100))
    )
    const error = await processClip(text, join(work, 'notes-out')).catch((caught) => caught)
    assert.instanceOf(error, PipelineError)
    assert.equal(error.code, 'E_INPUT_UNREADABLE')
    assert.equal(error.step, 'probe')
  })

  test('an audio-only file fails with E_NO_VIDEO', async ({ assert }) => {
    const audio = await ffmpegMake(join(work, 'tone.m4a'), [
      '-f',
      'lavfi',
      '-i',
      'sine=d=1',
      '-c:a',
      'aac',
    ])
    const error = await processClip(audio, join(work, 'tone-out')).catch((caught) => caught)
    assert.equal(error.code, 'E_NO_VIDEO')
  })

  test('a frame processor changes the encoded frames and its people reach keypoints.json')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const painter = new BlackPainter()
      const result = await processClip(CLIP_720P, join(work, 'painted'), { processors: [painter] })

      assert.equal(painter.initialised, '1280x720@30')
      assert.isBelow(await meanBrightness(result.outputs.video.path), 20)
      assert.isAbove(await meanBrightness(CLIP_720P), 40)
      const keypoints = JSON.parse(await readFile(result.outputs.keypoints.path, 'utf8'))
      assert.deepEqual(keypoints.frames[3].people, [
        {
          trackId: 1,
          bbox: [10, 20, 30, 40],
          score: 0.8,
          keypoints: [[15, 25, 0.9]],
          smoothed: [[16, 25, 0.9]],
        },
      ])
      assert.equal(keypoints.frames[3].timeMs, 100)
      assert.deepEqual(result.metadata.models, [{ name: 'black-painter', version: '0.0.1' }])
      assert.deepEqual(result.metadata.anonymization, {
        'black-painter': { framesPainted: keypoints.frameCount },
      })
    })

  test(
    'a {$self} fps source is processed once per source frame and comes out at 30 fps, one keypoints entry per output frame'
  )
    .with([
      { fps: 5, toString: () => '5' },
      { fps: 12, toString: () => '12' },
    ])
    .run(async ({ assert }, { fps }) => {
      // Two seconds at `fps`: 2 × fps source frames, 60 output frames.
      const slow = await ffmpegMake(join(work, `slow-${fps}.mp4`), [
        '-f',
        'lavfi',
        '-i',
        `testsrc2=s=320x240:r=${fps}:d=2`,
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
      ])
      const sourceFrames = 2 * fps
      // Paints each frame a flat grey (luma 20, 29, … ≤ 227, no chroma) that grows with its index and reports one person whose
      // track id is that index: keypoints.json and the pixels of every output frame must agree.
      const seen: { index: number; timeMs: number }[] = []
      const painter: FrameProcessor = {
        name: 'index-painter',
        async process(frame) {
          seen.push({ index: frame.index, timeMs: frame.timeMs })
          fill(frame, grey(20 + frame.index * 9))
          return [
            { trackId: frame.index, bbox: [0, 0, 1, 1], score: 1, keypoints: [], smoothed: [] },
          ]
        },
      }

      const result = await processClip(slow, join(work, `slow-${fps}-out`), {
        processors: [painter],
      })

      assert.deepEqual(
        seen,
        Array.from({ length: sourceFrames }, (_, index) => ({
          index,
          timeMs: Math.round((index * 1000) / fps),
        })),
        'once per source frame, with its own index and time'
      )
      const probed = await ffprobeJson(result.outputs.video.path)
      const video = probed.streams[0]
      assert.equal(video.r_frame_rate, '30/1')
      assert.equal(video.avg_frame_rate, '30/1')
      assert.equal(Number(video.nb_frames), 60)
      const keypoints = JSON.parse(await readFile(result.outputs.keypoints.path, 'utf8'))
      assert.equal(keypoints.frameCount, 60)
      assert.equal((result.metadata.output as any).frameCount, 60)
      assert.lengthOf(keypoints.frames, 60)
      keypoints.frames.forEach((entry: any, index: number) => {
        assert.equal(entry.index, index)
        assert.equal(entry.timeMs, Math.round((index * 1000) / 30))
      })
      // Each output frame carries the people of the source frame it shows.
      const tracks: number[] = keypoints.frames.map((entry: any) => entry.people[0].trackId)
      assert.deepEqual(
        [...new Set(tracks)],
        Array.from({ length: sourceFrames }, (_, index) => index)
      )
      const { stdout } = await promisify(execFile)(
        'ffmpeg',
        [
          '-v',
          'error',
          '-i',
          result.outputs.video.path,
          '-vf',
          'crop=64:64:600:320,scale=8:8,format=gray',
          '-f',
          'rawvideo',
          'pipe:1',
        ],
        { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }
      )
      const levels = Array.from({ length: stdout.length / 64 }, (_, frame) => {
        let sum = 0
        for (let byte = frame * 64; byte < frame * 64 + 64; byte++) sum += stdout[byte]
        return sum / 64
      })
      assert.lengthOf(levels, 60)
      for (let index = 1; index < 60; index++) {
        const step = levels[index] - levels[index - 1]
        if (tracks[index] === tracks[index - 1])
          assert.isBelow(Math.abs(step), 3, `frame ${index} repeats frame ${index - 1}`)
        else assert.isAbove(step, 4, `frame ${index} shows the next source frame`)
      }
    })

  test('each frame is handed to prepare() once, unchanged, as soon as it is decoded: while the frames two before it are processed', async ({
    assert,
  }) => {
    const clip = await ffmpegMake(join(work, 'prepare.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=320x240:r=30:d=1',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
    ])
    const events: string[] = []
    const preparedData = new Map<number, Buffer>()
    // Slow enough that the decoder (three frames ahead) has the next frames before this one is done.
    const slow: FrameProcessor = {
      name: 'slow-painter',
      prepare(frame) {
        events.push(`prepare ${frame.index}`)
        preparedData.set(frame.index, Buffer.from(frame.data))
      },
      async process(frame) {
        events.push(`start ${frame.index}`)
        assert.isTrue(
          preparedData.get(frame.index)?.equals(frame.data),
          `frame ${frame.index} as prepare() saw it`
        )
        await new Promise((resolve) => setTimeout(resolve, 40))
        fill(frame, BLACK)
        events.push(`end ${frame.index}`)
      },
    }
    const failing: FrameProcessor = {
      name: 'failing-prepare',
      prepare() {
        throw new Error('not ready')
      },
      async process() {},
    }

    await processClip(clip, join(work, 'prepare-out'), { processors: [slow, failing] })

    const at = (event: string) => events.indexOf(event)
    for (let index = 0; index < 30; index++) {
      assert.equal(
        events.filter((event) => event === `prepare ${index}`).length,
        1,
        `frame ${index} prepared once`
      )
      assert.isBelow(
        at(`prepare ${index}`),
        at(`start ${index}`),
        `frame ${index} prepared before it is processed`
      )
      // Two frames ahead: while the frame two before it is processed (once the decoder is
      // running: at the start, the first frames may come one by one).
      if (index > 3)
        assert.isBelow(
          at(`prepare ${index}`),
          at(`end ${index - 2}`),
          `frame ${index} prepared while ${index - 2} is processed`
        )
    }
  })

  test('a failing frame processor stops the run with E_PROCESSOR_FAILED and leaves no video')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const failing: FrameProcessor = {
        name: 'flaky',
        async process(frame) {
          if (frame.index === 10) throw new Error('out of memory')
        },
      }
      const outDir = join(work, 'flaky')
      const error = await processClip(CLIP_720P, outDir, { processors: [failing] }).catch(
        (caught) => caught
      )
      assert.equal(error.code, 'E_PROCESSOR_FAILED')
      assert.include(error.detail, 'out of memory')
      await assert.rejects(() => stat(join(outDir, 'video.mp4')))
      await assert.rejects(() => stat(join(outDir, 'video.partial.mp4')))
    })

  test('aborting stops ffmpeg and rejects with E_ABORTED')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const controller = new AbortController()
      const stopper: FrameProcessor = {
        name: 'stopper',
        async process(frame) {
          if (frame.index === 5) controller.abort()
        },
      }
      const error = await processClip(
        CLIP_720P,
        join(work, 'aborted'),
        { processors: [stopper] },
        { signal: controller.signal }
      ).catch((caught) => caught)
      assert.equal(error.code, 'E_ABORTED')
    })

  test('the event loop stays free while a 720p clip is processed')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const progress: number[] = []
      const { stall } = await watchEventLoop(() =>
        processClip(
          join(SHARED_MEDIA, 'pedestrians_faces_1280x720_4s.mp4'),
          join(work, 'lag'),
          {},
          {
            onProgress: (percent: number) => progress.push(percent),
          }
        )
      )

      assert.isBelow(stall.busyMs, 200, describeStall(stall))
      assert.deepEqual(
        [...progress].sort((a, b) => a - b),
        progress,
        'progress only goes up'
      )
      assert.equal(progress.at(-1), 100)
    })
})

/** Paints every frame black and reports one fixed person: the shape a blur model will have. */
class BlackPainter implements FrameProcessor {
  readonly name = 'black-painter'
  readonly version = '0.0.1'
  readonly role = 'anonymization' as const
  initialised = ''
  #painted = 0

  async init(info: { width: number; height: number; fps: number }) {
    this.initialised = `${info.width}x${info.height}@${info.fps}`
  }

  async process(frame: Frame) {
    fill(frame, BLACK)
    this.#painted++
    return [
      {
        trackId: 1,
        bbox: [10, 20, 30, 40] as [number, number, number, number],
        score: 0.8,
        keypoints: [[15, 25, 0.9] as Keypoint],
        smoothed: [[16, 25, 0.9] as Keypoint],
      },
    ]
  }

  async finish() {
    return { framesPainted: this.#painted }
  }
}
