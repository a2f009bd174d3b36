import { test } from '@japa/runner'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { SKIP_WITHOUT_MEDIA, sharedClips, sharedMediaAvailable } from '#tests/helpers/media'
import {
  ffprobeJson,
  identifyingTags,
  processClip,
  schemaValidators,
} from '#tests/helpers/pipeline'

test.group('Pipeline outputs on the shared clips', (group) => {
  let work: string
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-pipeline-'))
    return () => rm(work, { recursive: true, force: true })
  })

  test('{$self} becomes a 1280x720 30 fps H.264 clip with valid keypoints and metadata')
    .with(sharedClips().map((path) => ({ path, toString: () => basename(path) })))
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(120_000)
    .run(async ({ assert }, clip) => {
      const outDir = join(work, basename(clip.path))
      const result = await processClip(clip.path, outDir)

      const probe = await ffprobeJson(result.outputs.video.path)
      const video = probe.streams.filter((stream) => stream.codec_type === 'video')
      assert.lengthOf(video, 1)
      assert.equal(video[0].codec_name, 'h264')
      assert.equal(video[0].pix_fmt, 'yuv420p')
      assert.equal(video[0].width, 1280)
      assert.equal(video[0].height, 720)
      assert.equal(video[0].r_frame_rate, '30/1')
      assert.equal(video[0].avg_frame_rate, '30/1')
      assert.notExists(
        probe.streams.find((stream) => stream.codec_type === 'audio'),
        'audio is removed by default'
      )
      assert.deepEqual(identifyingTags(probe), [])

      const source = await ffprobeJson(clip.path)
      const sourceDuration = Number(
        source.streams.find((stream) => stream.codec_type === 'video').duration
      )
      assert.approximately(Number(video[0].duration), sourceDuration, 1 / 30 + 0.001)

      const { keypoints, metadata } = await schemaValidators()
      const keypointsJson = JSON.parse(await readFile(result.outputs.keypoints.path, 'utf8'))
      assert.isTrue(keypoints(keypointsJson), JSON.stringify(keypoints.errors))
      assert.equal(keypointsJson.frameCount, Number(video[0].nb_frames))
      assert.lengthOf(keypointsJson.frames, keypointsJson.frameCount)
      const metadataJson = JSON.parse(await readFile(result.outputs.metadata.path, 'utf8'))
      assert.isTrue(metadata(metadataJson), JSON.stringify(metadata.errors))
      assert.equal(metadataJson.files.video.sha256, result.outputs.video.sha256)
      assert.equal(metadataJson.consent.recordId, 7)

      const preview = await ffprobeJson(result.outputs.preview.path)
      assert.equal(preview.streams[0].height, 480)
      assert.equal(preview.streams[0].width, 854)
      assert.isAtMost(Number(preview.format.duration), 10.05)
      assert.lengthOf(preview.streams, 1)
      const thumbnail = await ffprobeJson(result.outputs.thumbnail.path)
      assert.equal(thumbnail.streams[0].width, 640)
    })
})
