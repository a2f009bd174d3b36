import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Clip from '#models/clip'
import ClipAsset from '#models/clip_asset'
import User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { StorageService } from '#app/core/storage_service'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { sharedClips, sharedMediaAvailable, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'
import { until } from '#tests/helpers/wait'

/** A worker-only process, as on another machine; short locks so a takeover is quick. */
function startWorker(logs: string[]) {
  const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: app.appRoot.pathname,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      ATHERA_ROLES: 'worker',
      QUEUE_LOCK_DURATION_MS: '4000',
      QUEUE_STALLED_INTERVAL_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk) => logs.push(String(chunk)))
  child.stderr!.on('data', (chunk) => logs.push(String(chunk)))
  return child
}

test.group('process-clip: a worker killed mid-job', () => {
  test('the job completes on the next worker with one set of assets and no orphan objects', async ({
    assert,
    cleanup,
  }) => {
    // Committed data: the workers are other processes.
    const creator = await makeUser('creator')
    const path = sharedClips().find((item) => item.includes('vtest')) ?? sharedClips()[0]
    const { clip } = await uploadedClip(creator, path)
    const workers: ChildProcess[] = []
    cleanup(async () => {
      for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL')
      await db.from('clips').where('id', clip.id).delete()
      await User.query().where('id', creator.id).update({ suspended_at: new Date() })
    })
    const logs: string[] = []

    const first = startWorker(logs)
    workers.push(first)
    assert.isTrue(
      await until(async () => logs.join('').includes('worker started'), 30_000),
      logs.join('')
    )
    const queue = await app.container.make(QueueService)
    await queue.dispatch('process-clip', { clipId: clip.id }, { jobId: `process-clip-${clip.id}` })

    const midway = await until(async () => {
      const row = await Clip.find(clip.id)
      return row!.status === 'processing' && row!.progress >= 10
    }, 60_000)
    assert.isTrue(midway, `the first worker got going\n${logs.join('')}`)
    first.kill('SIGKILL')

    const second = startWorker(logs)
    workers.push(second)
    const done = await until(
      async () => (await Clip.find(clip.id))!.status === 'processed',
      120_000
    )
    assert.isTrue(done, `the second worker finished the job\n${logs.join('').slice(-3000)}`)

    const assets = await ClipAsset.query().where('clip_id', clip.id)
    assert.sameMembers(
      assets.map((asset) => asset.kind),
      ['raw', 'video', 'keypoints', 'regions', 'metadata', 'thumbnail', 'preview']
    )
    const storage = await app.container.make(StorageService)
    const stored = [
      ...(await storage.list('processed', `clips/${clip.id}/`)),
      ...(await storage.list('previews', `clips/${clip.id}/`)),
    ].sort()
    const published = assets
      .filter((asset) => asset.kind !== 'raw')
      .map((asset) => asset.key)
      .sort()
    assert.deepEqual(stored, published, 'every stored object is a published asset')
    const runs = await db.from('processing_runs').where('clip_id', clip.id)
    assert.equal(runs.filter((run) => run.status === 'succeeded').length, 1)
    assert.equal(runs.filter((run) => run.status === 'running').length, 0, 'no run is left hanging')
    second.kill('SIGTERM')
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)
})
