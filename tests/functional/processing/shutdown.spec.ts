import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Clip from '#models/clip'
import User from '#models/user'
import { QueueService } from '#app/core/queue_service'
import { VisionService } from '#app/processing/vision_service'
import AtheraProvider from '#providers/athera_provider'
import { makeUser } from '#tests/helpers/users'
import { uploadedClip } from '#tests/helpers/clips'
import { sharedMediaAvailable, shortClip, SKIP_WITHOUT_MEDIA } from '#tests/helpers/media'
import { until } from '#tests/helpers/wait'

/** The production server's entry (web and worker in one process), run from source as tests do. */
function startServer(logs: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: app.appRoot.pathname,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      ATHERA_ROLES: 'web,worker',
      HOST: '127.0.0.1',
      PORT: '3352',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk) => logs.push(String(chunk)))
  child.stderr!.on('data', (chunk) => logs.push(String(chunk)))
  return child
}

/**
 * Sends SIGTERM; resolves with the exit code and how long the process took to go. Still running
 * after a minute, it is killed (as compose would) and reported with a null code.
 */
function terminate(child: ChildProcess) {
  const sent = Date.now()
  const exited = new Promise<{ code: number | null; seconds: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, seconds: (Date.now() - sent) / 1000 }))
  )
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  child.kill('SIGTERM')
  return exited.finally(() => clearTimeout(killer))
}

test.group('process-clip: the server on SIGTERM', () => {
  test('after processing a clip, the server exits 0 on SIGTERM within the grace period', async ({
    assert,
    cleanup,
  }) => {
    // Committed data: the server is another process.
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const children: ChildProcess[] = []
    cleanup(async () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await db.from('clips').where('id', clip.id).delete()
      await User.query().where('id', creator.id).update({ suspended_at: new Date() })
    })
    const logs: string[] = []
    const server = startServer(logs)
    children.push(server)
    assert.isTrue(
      await until(async () => logs.join('').includes('job worker started'), 60_000),
      logs.join('')
    )

    const queue = await app.container.make(QueueService)
    await queue.dispatch('process-clip', { clipId: clip.id }, { jobId: `process-clip-${clip.id}` })
    const done = await until(
      async () => (await Clip.find(clip.id))!.status === 'processed',
      150_000
    )
    assert.isTrue(done, `the server processed the clip\n${logs.join('').slice(-3000)}`)

    const { code, seconds } = await terminate(server)
    assert.equal(code, 0, logs.join('').slice(-3000))
    assert.isBelow(seconds, 20, `exited ${seconds.toFixed(1)} s after SIGTERM`)
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)

  test('SIGTERM mid-job: the job is stopped and handed back, the server exits 0 in time', async ({
    assert,
    cleanup,
  }) => {
    const creator = await makeUser('creator')
    const { clip } = await uploadedClip(creator, shortClip())
    const jobId = `process-clip-${clip.id}`
    const queue = await app.container.make(QueueService)
    const children: ChildProcess[] = []
    cleanup(async () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      const leftover = await queue.queue('process-clip').getJob(jobId)
      await leftover?.remove().catch(() => {})
      await db.from('clips').where('id', clip.id).delete()
      await User.query().where('id', creator.id).update({ suspended_at: new Date() })
    })
    const logs: string[] = []
    // Running jobs get one second to finish, then are handed back.
    const server = startServer(logs, { QUEUE_DRAIN_MS: '1000' })
    children.push(server)
    assert.isTrue(
      await until(async () => logs.join('').includes('job worker started'), 60_000),
      logs.join('')
    )

    await queue.dispatch('process-clip', { clipId: clip.id }, { jobId })
    const midway = await until(async () => {
      const row = await Clip.find(clip.id)
      return row!.status === 'processing' && row!.progress >= 5
    }, 120_000)
    assert.isTrue(midway, `the server got going\n${logs.join('').slice(-3000)}`)

    const { code, seconds } = await terminate(server)
    assert.equal(code, 0, logs.join('').slice(-3000))
    assert.isBelow(seconds, 20, `exited ${seconds.toFixed(1)} s after SIGTERM`)

    // Handed back as it was: waiting again, no attempt used, the clip not failed.
    const job = await queue.queue('process-clip').getJob(jobId)
    assert.equal(await job!.getState(), 'waiting')
    assert.equal(job!.attemptsMade, 0)
    const row = await Clip.findOrFail(clip.id)
    assert.equal(row.status, 'processing')
    const runs = await db.from('processing_runs').where('clip_id', clip.id)
    assert.deepEqual(
      runs.map((run) => run.status),
      ['running'],
      'the next attempt takes over the same run'
    )
  })
    .skip(!sharedMediaAvailable(), SKIP_WITHOUT_MEDIA)
    .timeout(240_000)
})

test.group('process-clip: the provider at shutdown', () => {
  test('shutdown() stops the vision thread; the next clip starts a new one', async ({
    assert,
    cleanup,
  }) => {
    cleanup(() => VisionService.close())
    const processors = await new VisionService().processors()
    for (const processor of processors) await processor.close?.()
    const thread = VisionService.thread
    assert.isTrue(thread?.alive, 'the first clip started the vision thread')

    await new AtheraProvider(app).shutdown()
    assert.isFalse(thread!.alive, 'the thread is terminated')
    assert.isUndefined(VisionService.thread)

    await new VisionService().processors()
    assert.isTrue(VisionService.thread?.alive)
    assert.notStrictEqual(VisionService.thread, thread)
  }).timeout(120_000)
})
