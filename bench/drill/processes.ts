/**
 * The drill's child processes and clean-up steps, all undone when it ends, also on Ctrl-C; and
 * the waiting helpers every part of it uses.
 */
import { execFile, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { promisify } from 'node:util'

export const run = promisify(execFile)
export const children = new Set<ChildProcess>()
export const cleanups: (() => Promise<void>)[] = []
let cleaning: Promise<void> | null = null
export function cleanUp() {
  cleaning ??= (async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    // Each step bounded: a service that hangs on close must not keep the drill (or its files) around.
    for (const step of cleanups.reverse()) {
      await Promise.race([
        step().catch((error) => console.error('clean-up:', error.message)),
        new Promise((resolve) => setTimeout(resolve, 20_000).unref()),
      ])
    }
  })()
  return cleaning
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every process the drill started…`)
    cleanUp().finally(() => process.exit(130))
  })
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
export async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true
    await sleep(everyMs)
  }
  return false
}
export async function freePort() {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}
