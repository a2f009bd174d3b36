import { ExportError } from '#app/datasets/errors'
import { test } from '@japa/runner'
import { extname } from 'node:path'
import { DateTime } from 'luxon'
import { BUCKETS, outputBucket } from '#app/core/storage_service'
import { objectKey } from '#app/processing/public'
import { MANIFEST_FILES, parseManifest } from '#app/datasets/public'
import { croissant } from '#app/datasets/croissant'
import { datasetCard } from '#app/datasets/dataset_card'
import type { ExportPlan } from '#app/datasets/export_plan'
import { EXPORT_FILE_KINDS } from '#app/datasets/manifest'
import {
  CLIP_OUTPUTS,
  DELIVERED_BUCKETS,
  DELIVERED_KINDS,
  DELIVERED_PATH,
  deliveredGlob,
  deliveredPath,
  OUTPUT_KINDS,
  type DeliveredKind,
} from '#workers/pipeline/outputs'

const CLIP = '0b8f5c1e-3a2d-4c6b-9e7f-1a2b3c4d5e6f'
const SHA = 'ab'.repeat(32)

/** A manifest of one clip holding `files`, as publishing writes it. */
function manifestOf(files: Record<string, unknown>[]) {
  return {
    format: 1,
    clips: [{ id: CLIP, position: 0, seconds: 1, title: 'Serve', sport: 'tennis', files }],
  }
}

function deliveredFile(kind: DeliveredKind) {
  return {
    kind,
    bucket: CLIP_OUTPUTS[kind].bucket,
    key: objectKey(CLIP, kind, SHA),
    bytes: 10,
    sha256: SHA,
    path: MANIFEST_FILES[kind](CLIP),
  }
}

/** The error `run` throws (failing the test when it throws none). */
function refusal(run: () => unknown): ExportError {
  try {
    run()
  } catch (error) {
    if (error instanceof ExportError) return error
    throw error
  }
  throw new Error('expected an ExportError')
}

test.group('The outputs contract: pipeline, processing, datasets and exports agree', () => {
  test('regions and previews are never delivered; every other output is, in the table order', ({
    assert,
  }) => {
    assert.deepEqual([...DELIVERED_KINDS], ['video', 'keypoints', 'metadata', 'thumbnail'])
    assert.deepEqual(Object.keys(MANIFEST_FILES), [...DELIVERED_KINDS])
    assert.deepEqual([...EXPORT_FILE_KINDS], [...DELIVERED_KINDS])
    assert.sameMembers(
      [...OUTPUT_KINDS],
      ['video', 'keypoints', 'regions', 'metadata', 'thumbnail', 'preview']
    )
    assert.notInclude(DELIVERED_KINDS as readonly string[], 'regions')
    assert.notInclude(DELIVERED_BUCKETS as readonly string[], 'raw')
  })

  test('processing stores each output in a bucket storage has, under its contract file name', ({
    assert,
  }) => {
    for (const kind of OUTPUT_KINDS) {
      assert.equal(outputBucket(kind), CLIP_OUTPUTS[kind].bucket)
      assert.include(BUCKETS, outputBucket(kind))
      assert.isTrue(objectKey(CLIP, kind, SHA).endsWith(`/${CLIP_OUTPUTS[kind].file}`), kind)
    }
    assert.equal(
      new Set(OUTPUT_KINDS.map((kind) => CLIP_OUTPUTS[kind].file)).size,
      OUTPUT_KINDS.length
    )
  })

  test('a delivered file keeps its format: the download path has the stored file extension', ({
    assert,
  }) => {
    for (const kind of DELIVERED_KINDS) {
      assert.equal(extname(deliveredPath(kind, CLIP)), extname(CLIP_OUTPUTS[kind].file), kind)
    }
  })

  test('the export path pattern accepts exactly the delivered kinds’ paths', ({ assert }) => {
    for (const kind of DELIVERED_KINDS) assert.match(MANIFEST_FILES[kind](CLIP), DELIVERED_PATH)
    // What a path would be for an output that is not delivered, and paths that would leave the archive.
    const refused = [
      `regions/${CLIP}.json`,
      `previews/${CLIP}.mp4`,
      `preview/${CLIP}.mp4`,
      `videos/../${CLIP}.mp4`,
      `videos/a/${CLIP}.mp4`,
      `raw/${CLIP}`,
      `/videos/${CLIP}.mp4`,
    ]
    for (const path of refused) assert.notMatch(path, DELIVERED_PATH)
  })

  test('a manifest written from the contract reads back; one naming an undelivered output is refused', ({
    assert,
  }) => {
    const files = DELIVERED_KINDS.map(deliveredFile)
    const [clip] = parseManifest(manifestOf(files))
    assert.deepEqual(clip.files, files)

    const regions = {
      ...deliveredFile('metadata'),
      kind: 'regions',
      key: objectKey(CLIP, 'regions', SHA),
      path: `metadata/${CLIP}.regions.json`,
    }
    const preview = {
      ...deliveredFile('video'),
      kind: 'preview',
      bucket: 'previews',
      path: `videos/${CLIP}.preview.mp4`,
    }
    const raw = { ...deliveredFile('video'), bucket: 'raw', path: `videos/${CLIP}.raw.mp4` }
    for (const listed of [[...files, regions], [...files, preview], [raw]]) {
      // The buyer reads the catalog's sentence; the log keeps the code and what was wrong.
      const error = refusal(() => parseManifest(manifestOf(listed)))
      assert.equal(error.code, 'E_MANIFEST_INVALID')
      assert.match(error.detail ?? '', /not a deliverable asset/)
    }
  })

  test('the dataset card and Croissant describe each delivered kind where the contract puts it', ({
    assert,
  }) => {
    const at = DateTime.fromISO('2026-01-02T03:04:05Z')
    const plan = {
      licence: { id: 'lic-1' },
      terms: { title: 'Research licence', version: 1, sha256: SHA, body: 'Terms.' },
      version: {
        id: 7,
        version: 1,
        publishedAt: at,
        manifestSha256: SHA,
        stats: { clips: 1, duration_ms: 1000, people: 1, keypoint_frames: 1 },
      },
      dataset: { title: 'Serves', slug: 'serves', description: '', tags: [], sport: 'tennis' },
      instanceName: 'Club',
      clips: [],
      withdrawn: [],
      consent: { clips: 0, self: 0, coached: 0, minors: 0, textVersions: [], usages: [] },
      models: [],
    } as unknown as ExportPlan
    const card = datasetCard(plan)
    const sets = croissant(plan, SHA).distribution.filter((item) => item['@type'] === 'cr:FileSet')
    assert.lengthOf(sets, DELIVERED_KINDS.length)
    for (const [index, kind] of DELIVERED_KINDS.entries()) {
      assert.include(card, `\`${deliveredPath(kind, '<clip>')}\``)
      assert.include(sets[index], {
        includes: deliveredGlob(kind),
        encodingFormat: CLIP_OUTPUTS[kind].contentType,
      })
    }
    assert.notInclude(card, 'regions')
  })
})
