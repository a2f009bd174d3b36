import { test } from '@japa/runner'
import { watchEventLoop } from '#tests/helpers/event_loop'

/**
 * The pipeline tests bound the main thread's own work with this watcher; these check that it
 * tells our code holding the loop apart from the thread merely being kept waiting.
 */
test.group('event-loop watcher', () => {
  test('synchronous work on the main thread counts as busy', async ({ assert }) => {
    const { stall } = await watchEventLoop(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30))
      // 250 ms of this thread's CPU, however long the machine's other work makes that take.
      const cpuMs = () => {
        const { user, system } = process.threadCpuUsage()
        return (user + system) / 1000
      }
      const end = cpuMs() + 250
      let spins = 0
      while (cpuMs() < end) spins++
      return spins
    })
    assert.isAtLeast(stall.busyMs, 200)
    assert.isAtLeast(stall.wallMs, 200)
  })

  test('a main thread kept waiting without running is late but not busy', async ({ assert }) => {
    const { stall } = await watchEventLoop(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30))
      // Blocks the thread without using the CPU, as being off a core would.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    })
    assert.isAtLeast(stall.wallMs, 200)
    assert.isBelow(stall.busyMs, 100)
  })
})
