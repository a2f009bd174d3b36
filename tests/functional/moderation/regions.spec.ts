import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import app from '@adonisjs/core/services/app'
import {
  ffmpegMake,
  imageFrame,
  sharedMediaAvailable,
  SKIP_WITHOUT_MEDIA,
} from '#tests/helpers/media'
import { processClip } from '#tests/helpers/pipeline'
import type { BlurredRegion, Frame, FrameProcessor } from '#workers/pipeline/types'
import {
  AnonymizeProcessor,
  createVisionProcessors,
  loadVisionModels,
} from '#workers/vision/processors'
import { VisionRuntime } from '#workers/vision/runtime/runtime'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'

async function regionsValidator() {
  const schema = JSON.parse(
    await readFile(app.makePath('workers/pipeline/schemas/regions.schema.json'), 'utf8')
  )
  return new Ajv2020({ allErrors: true, strict: true }).compile(schema)
}

/**
 * Reports regions as an anonymizer would: on even frames a face half out of the frame (left
 * edge) with fractional pixels, and a shirt number; nothing on odd frames.
 */
class RegionReporter implements FrameProcessor {
  readonly name = 'region-reporter'
  #last: BlurredRegion[] = []

  async process(frame: Frame) {
    this.#last =
      frame.index % 2 === 0
        ? [
            { kind: 'face', x: -20.4, y: 10.6, width: 60.2, height: 50.5 },
            { kind: 'text', x: 100.49, y: 200.5, width: 30, height: 20 },
            // Wholly outside the frame: nothing of it was blurred.
            { kind: 'head', x: 1400, y: 800, width: 40, height: 40 },
          ]
        : []
  }

  blurred() {
    return this.#last
  }
}

test.group('Moderation: the blurred regions the pipeline records', (group) => {
  let work: string
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-regions-'))
    return () => rm(work, { recursive: true, force: true })
  })
  group.each.timeout(180_000)

  test('regions.json lists each frame’s blurred boxes, clipped and rounded, and leaves out empty frames', async ({
    assert,
  }) => {
    const input = await ffmpegMake(join(work, 'input.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=30:duration=0.5',
      '-pix_fmt',
      'yuv420p',
    ])
    const result = await processClip(input, join(work, 'out'), {
      processors: [new RegionReporter()],
    })

    const regions = JSON.parse(await readFile(result.outputs.regions.path, 'utf8'))
    const valid = await regionsValidator()
    assert.isTrue(valid(regions), JSON.stringify(valid.errors?.slice(0, 3)))
    assert.equal(result.outputs.regions.contentType, 'application/json')
    assert.include(regions, {
      schema: 'athera.regions/1',
      clipId: 'clip-test',
      fps: 30,
      width: 1280,
      height: 720,
      frameCount: 15,
    })
    assert.deepEqual(
      regions.frames.map((frame: any) => frame.index),
      [0, 2, 4, 6, 8, 10, 12, 14]
    )
    assert.deepEqual(regions.frames[0], {
      index: 0,
      count: 1,
      regions: [
        ['face', 0, 11, 40, 50],
        ['text', 100, 201, 30, 20],
      ],
    })

    // For reviewers only: metadata.json (which travels with datasets) does not list it.
    assert.notProperty(result.metadata.files as object, 'regions')
  })

  test('a source slower than the output rate: each entry covers the output frames showing its decoded frame', async ({
    assert,
  }) => {
    const input = await ffmpegMake(join(work, 'slow.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=5:duration=0.6',
      '-pix_fmt',
      'yuv420p',
    ])
    const result = await processClip(input, join(work, 'slow-out'), {
      processors: [new RegionReporter()],
    })
    const regions = JSON.parse(await readFile(result.outputs.regions.path, 'utf8'))
    // Decoded frames 0 and 2 (of 0, 1, 2) blurred something; each shows for 6 output frames.
    assert.deepEqual(
      regions.frames.map((frame: any) => [frame.index, frame.count]),
      [
        [0, 6],
        [12, 6],
      ]
    )
    assert.equal(regions.frameCount, 18)
  })

  test('a clip where nothing was blurred gets a regions.json with no frames', async ({
    assert,
  }) => {
    const input = await ffmpegMake(join(work, 'plain.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=30:duration=0.3',
      '-pix_fmt',
      'yuv420p',
    ])
    const result = await processClip(input, join(work, 'plain-out'))
    const regions = JSON.parse(await readFile(result.outputs.regions.path, 'utf8'))
    assert.deepEqual(regions.frames, [])
    assert.equal(regions.frameCount, 9)
  })

  test('the anonymizer reports exactly the regions it blurred, by kind')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .run(async ({ assert }) => {
      const settings: VisionSettings = {
        ...DEFAULT_VISION_SETTINGS,
        cacheDir: app.makePath('models'),
        detectEvery: 1,
      }
      const runtime = new VisionRuntime({ threads: 2 })
      try {
        const models = await loadVisionModels(runtime, settings)
        const processors = createVisionProcessors(models, settings, { still: true })
        // A batter whose face only pose places (helmet), and shirt numbers.
        const frame = await imageFrame('baseball_numbers_coco196141.jpg')
        for (const processor of processors) await processor.process(frame)
        const anonymizer = processors.find(
          (processor) => processor instanceof AnonymizeProcessor
        ) as AnonymizeProcessor
        const blurred = anonymizer.blurred()
        const kinds = (kind: string) => blurred.filter((region) => region.kind === kind)
        assert.isAbove(blurred.length, 0)
        assert.lengthOf([...kinds('face'), ...kinds('head')], anonymizer.last.faces.length)
        assert.lengthOf(kinds('text'), anonymizer.last.text.length)
        assert.isAbove(kinds('head').length + kinds('text').length, 0, JSON.stringify(blurred))
        // The pose processor blurs nothing.
        assert.isUndefined(processors.find((processor) => processor.name === 'pose')?.blurred)
      } finally {
        await runtime.close()
      }
    })
})
