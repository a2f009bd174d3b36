import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { threadExecArgv, WorkerCalls } from '#workers/vision/runtime/worker_calls'

const ECHO = new URL('../../helpers/workers/echo_worker.js', import.meta.url)

function echoThread() {
  const unanswered: unknown[] = []
  const stops: { message: string; closed: boolean }[] = []
  const calls = new WorkerCalls<{ type: string; id?: number }>(ECHO, {
    workerData: {},
    label: 'the echo thread',
    onMessage: (message) => unanswered.push(message),
    onStop: (error, closed) => stops.push({ message: error.message, closed }),
  })
  return { calls, unanswered, stops }
}

test.group('WorkerCalls (requests to the vision thread and the model lane)', () => {
  test('each reply settles its own request; messages with no request waiting go to onMessage', async ({
    assert,
  }) => {
    const { calls, unanswered } = echoThread()
    try {
      const [a, b] = await Promise.all([
        calls.request({ type: 'echo', text: 'a' }),
        calls.request({ type: 'echo', text: 'b' }),
      ])
      assert.equal(a.text, 'a')
      assert.equal(b.text, 'b')
      await assert.rejects(() => calls.request({ type: 'fail' }), 'no such thing')
      assert.deepEqual(unanswered, [{ type: 'hello' }])
    } finally {
      await calls.close()
    }
  })

  test('a thread that exits fails the waiting and later requests with the reason, and reports it as not closed', async ({
    assert,
  }) => {
    const { calls, stops } = echoThread()
    const waiting = calls.request({ type: 'hang' })
    calls.post({ type: 'exit', code: 3 })
    await assert.rejects(() => waiting, 'the echo thread stopped (exit code 3)')
    await assert.rejects(
      () => calls.request({ type: 'echo', text: 'late' }),
      'the echo thread stopped (exit code 3)'
    )
    assert.isFalse(calls.alive)
    assert.deepEqual(stops, [{ message: 'the echo thread stopped (exit code 3)', closed: false }])
  })

  test('close() stops the thread and says so to onStop', async ({ assert }) => {
    const { calls, stops } = echoThread()
    await calls.request({ type: 'echo', text: 'ready' })
    await calls.close()
    assert.isFalse(calls.alive)
    assert.lengthOf(stops, 1)
    assert.isTrue(stops[0].closed)
  })
})

test.group('WorkerCalls under the dev server (hot-hook)', () => {
  test('a thread started from a process running hot-hook works, without hot-hook in the thread', async ({
    assert,
  }) => {
    const script = fileURLToPath(
      new URL('../../helpers/workers/hot_hook_parent.ts', import.meta.url)
    )
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import=@poppinss/ts-exec', '--import=hot-hook/register', script],
      // As `node ace serve --hmr` runs it: the dev server, not hot-hook, watches the files.
      { env: { ...process.env, HOT_HOOK_WATCH: 'false' }, timeout: 30_000 }
    ).catch((error) => ({ stdout: `${error.stdout}${error.stderr}` }))
    assert.equal(stdout.trim(), 'echo: under hot-hook')
  }).timeout(40_000)

  test('threadExecArgv drops hot-hook in both spellings and keeps every other option', ({
    assert,
  }) => {
    assert.deepEqual(
      threadExecArgv([
        '--import=@poppinss/ts-exec',
        '--enable-source-maps',
        '--import=hot-hook/register',
        '--import',
        'hot-hook/register',
        '--max-old-space-size=512',
      ]),
      ['--import=@poppinss/ts-exec', '--enable-source-maps', '--max-old-space-size=512']
    )
  })
})
