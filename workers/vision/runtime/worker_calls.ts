/**
 * Calls to a worker thread that answers each request by its id: the vision thread (./thread.ts)
 * and the model lane (./lane.ts). A reply of type `error` rejects its call; replies with no
 * call waiting (ready, log) go to `onMessage`. When the thread stops, every call waiting and
 * every later one fails with the reason.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

interface Pending {
  resolve: (reply: any) => void
  reject: (error: Error) => void
}

export interface WorkerCallsOptions<Reply> {
  workerData: unknown
  /** What the thread is, for the error when it stops ("the vision thread"). */
  label: string
  onMessage?: (message: Reply) => void
  /** The thread stopped: `closed` when close() stopped it, otherwise it crashed or exited. */
  onStop?: (error: Error, closed: boolean) => void
}

export class WorkerCalls<Reply extends { type: string; id?: number }> {
  #worker: Worker
  #pending = new Map<number, Pending>()
  #nextId = 1
  #dead?: Error
  #closing = false

  /** `entry`: the thread's compiled module (./x.js), run from its .ts source when not built. */
  constructor(entry: URL, options: WorkerCallsOptions<Reply>) {
    this.#worker = new Worker(inlineEntry(entry), {
      eval: true,
      workerData: options.workerData,
      execArgv: threadExecArgv(process.execArgv),
    })
    // The thread must not keep a finished CLI or test process alive.
    this.#worker.unref()
    this.#worker.on('message', (message: Reply) => {
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id)
      if (!pending) return options.onMessage?.(message)
      this.#pending.delete(message.id!)
      if (message.type === 'error')
        pending.reject(new Error((message as { message?: string }).message))
      else pending.resolve(message)
    })
    const die = (error: Error) => {
      if (this.#dead) return
      this.#dead = error
      for (const pending of this.#pending.values()) pending.reject(error)
      this.#pending.clear()
      options.onStop?.(error, this.#closing)
    }
    this.#worker.on('error', die)
    this.#worker.on('exit', (code) =>
      die(new Error(`${options.label} stopped (exit code ${code})`))
    )
  }

  get alive() {
    return !this.#dead
  }

  /** Sends `message` with a fresh id; resolves with the thread's reply to it. */
  request(message: object, transfer: ArrayBuffer[] = []): Promise<any> {
    if (this.#dead) return Promise.reject(this.#dead)
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ ...message, id }, transfer)
    })
  }

  /** Sends `message` with no reply expected (dropped once the thread has stopped). */
  post(message: object, transfer: ArrayBuffer[] = []) {
    if (!this.#dead) this.#worker.postMessage(message, transfer)
  }

  async close() {
    this.#closing = true
    await this.#worker.terminate()
  }
}

/**
 * A worker thread's entry as an inline module: from source (tests, `node ace` in development)
 * the TypeScript loader must be registered inside the thread too; a build runs the compiled file.
 */
function inlineEntry(compiled: URL) {
  const entry = JSON.stringify(compiled.href)
  return existsSync(fileURLToPath(compiled))
    ? `await import(${entry})`
    : `await import('@poppinss/ts-exec'); await import(${entry})`
}

/**
 * The parent's Node.js options for a thread, less hot-hook's. `npm run dev` runs the server
 * with `--import=hot-hook/register`, and a thread inherits the parent's options by default:
 * the thread would register hot-hook's loader again, on the thread's own module-hooks thread.
 * That loader sets itself up (its file matchers) only when it resolves a program's entry file,
 * and a thread whose entry is evaluated code (inlineEntry) has none, so the thread's first
 * import failed with "Cannot read properties of undefined (reading 'match')" and no clip
 * could be processed under the dev server. Hot reload has nothing to do in a thread: hot-hook
 * watches the main thread's imports, and a changed file the thread alone loads takes effect
 * when `npm run dev` next restarts the process.
 */
export function threadExecArgv(execArgv: readonly string[]) {
  const kept: string[] = []
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index]
    if (/^--import=hot-hook\b/.test(arg)) continue
    if (arg === '--import' && /^hot-hook\b/.test(execArgv[index + 1] ?? '')) {
      index++
      continue
    }
    kept.push(arg)
  }
  return kept
}
