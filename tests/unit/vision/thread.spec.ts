import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import { SHARED_MEDIA, SKIP_WITHOUT_MEDIA, sharedMediaAvailable } from '#tests/helpers/media'
import { processClip } from '#tests/helpers/pipeline'
import { DEFAULT_VISION_SETTINGS, type VisionSettings } from '#workers/vision/settings'
import { VisionThread } from '#workers/vision/thread'

test.group('Vision on its thread (as the worker runs it)', () => {
  test('regions.json lists every region the thread blurred, frame by frame')
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(300_000)
    .run(async ({ assert }) => {
      const settings: VisionSettings = { ...DEFAULT_VISION_SETTINGS, cacheDir: app.makePath('models') }
      const thread = new VisionThread(settings)
      const work = await mkdtemp(join(tmpdir(), 'athera-vision-thread-'))
      try {
        const result = await processClip(join(SHARED_MEDIA, 'two_people_indoor_1280x720_3s.mp4'), work, {
          processors: await thread.processors(),
          blur: settings.blur,
        })
        const regions = JSON.parse(await readFile(result.outputs.regions.path, 'utf8'))
        const metadata = JSON.parse(await readFile(result.outputs.metadata.path, 'utf8'))
        const qa = metadata.anonymization.anonymize
        assert.lengthOf(regions.frames, regions.frameCount)
        const count = (kinds: string[]) =>
          regions.frames.reduce((sum: number, frame: any) => sum + frame.regions.filter((region: any) => kinds.includes(region[0])).length, 0)
        // The same regions the anonymizer counted in its QA report, none lost on the way back.
        assert.isAbove(qa.faceRegions, 0)
        assert.equal(count(['face', 'head']), qa.faceRegions)
        assert.equal(count(['text']), qa.textRegions)
      } finally {
        await thread.close()
        await rm(work, { recursive: true, force: true })
      }
    })
})
