import { PerformanceObserver, performance } from 'node:perf_hooks'

export interface EventLoopStall {
  /** The most a 10 ms timer came late, by the wall clock. */
  wallMs: number
  /**
   * The most CPU time the main thread spent between two ticks of that timer on our code: the
   * thread's CPU time in that stretch less the garbage collector's pauses in it.
   */
  busyMs: number
  /** The garbage collector's pauses inside that stretch. */
  gcMs: number
}

/**
 * Runs `work` while a 10 ms timer watches the main thread, and reports its longest stall.
 *
 * The wall clock alone cannot say whose stall it was. On a 2-core machine that also runs ffmpeg
 * and the vision thread, the scheduler keeps the main thread off a core for a few hundred
 * milliseconds (the timer is late, yet nothing ran), and in a test process that has run a
 * thousand tests before, a major collection of its large heap pauses the thread too. So each
 * stretch between two ticks is measured by the main thread's own CPU time
 * (process.threadCpuUsage), less the collector's pauses that fell inside it: what a synchronous
 * hash, parse or loop of ours costs, which is what the tests bound. All three figures are
 * reported so a failure shows them.
 */
export async function watchEventLoop<T>(
  work: () => Promise<T>
): Promise<{ result: T; stall: EventLoopStall }> {
  const threadCpuMs = () => {
    const { user, system } = process.threadCpuUsage()
    return (user + system) / 1000
  }
  const pauses: { start: number; end: number }[] = []
  const collector = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration })
    }
  })
  collector.observe({ entryTypes: ['gc'] })

  const stretches: { start: number; end: number; cpuMs: number }[] = []
  let wallMs = 0
  let lastWall = performance.now()
  let lastCpu = threadCpuMs()
  const tick = () => {
    const wall = performance.now()
    const cpu = threadCpuMs()
    wallMs = Math.max(wallMs, wall - lastWall - 10)
    stretches.push({ start: lastWall, end: wall, cpuMs: cpu - lastCpu })
    lastWall = wall
    lastCpu = cpu
  }
  const timer = setInterval(tick, 10)
  try {
    const result = await work()
    tick()
    // The collector's entries arrive after the pause they describe.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const stall: EventLoopStall = { wallMs, busyMs: 0, gcMs: 0 }
    for (const stretch of stretches) {
      const gcMs = pauses.reduce(
        (sum, pause) =>
          sum +
          Math.max(0, Math.min(pause.end, stretch.end) - Math.max(pause.start, stretch.start)),
        0
      )
      const busyMs = Math.max(0, stretch.cpuMs - gcMs)
      if (busyMs > stall.busyMs) Object.assign(stall, { busyMs, gcMs })
    }
    return { result, stall }
  } finally {
    clearInterval(timer)
    collector.disconnect()
  }
}

export function describeStall(stall: EventLoopStall) {
  return `main thread busy for ${stall.busyMs.toFixed(0)} ms between two ticks besides ${stall.gcMs.toFixed(0)} ms of garbage collection (timer late by ${stall.wallMs.toFixed(0)} ms at most)`
}
