import { performance } from 'node:perf_hooks'

export interface EventLoopStall {
  /** The most a 10 ms timer came late, by the wall clock. */
  wallMs: number
  /** The most CPU time the main thread itself spent between two ticks of that timer. */
  busyMs: number
}

/**
 * Runs `work` while a 10 ms timer watches the main thread, and reports its longest stall.
 *
 * Two measures, because on a 2-core machine that also runs ffmpeg and the vision thread the
 * scheduler can keep the main thread off a core for a few hundred milliseconds: the timer is
 * late by the wall clock, yet none of our code held the loop. `busyMs` counts only the CPU time
 * the main thread spent between two ticks (process.threadCpuUsage), which is what a synchronous
 * hash, parse or loop on the main thread costs and what the tests bound; `wallMs` is reported
 * alongside so a failure shows both.
 */
export async function watchEventLoop<T>(
  work: () => Promise<T>
): Promise<{ result: T; stall: EventLoopStall }> {
  const threadCpuMs = () => {
    const { user, system } = process.threadCpuUsage()
    return (user + system) / 1000
  }
  let lastWall = performance.now()
  let lastCpu = threadCpuMs()
  const stall: EventLoopStall = { wallMs: 0, busyMs: 0 }
  const tick = () => {
    const wall = performance.now()
    const cpu = threadCpuMs()
    stall.wallMs = Math.max(stall.wallMs, wall - lastWall - 10)
    stall.busyMs = Math.max(stall.busyMs, cpu - lastCpu)
    lastWall = wall
    lastCpu = cpu
  }
  const timer = setInterval(tick, 10)
  try {
    const result = await work()
    tick()
    return { result, stall }
  } finally {
    clearInterval(timer)
  }
}

export function describeStall(stall: EventLoopStall) {
  return `main thread busy for ${stall.busyMs.toFixed(0)} ms between two ticks (timer late by ${stall.wallMs.toFixed(0)} ms)`
}
