/**
 * ffmpeg behind one small wrapper: every child the pipeline starts is lowered in priority (the
 * web role shares the machine), keeps only the tail of its stderr, and dies with the pipeline
 * (abort signal or error) instead of outliving it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { setPriority } from 'node:os'

export interface FfmpegRunOptions {
  ffmpegPath?: string
  /** Added to the child's niceness; ignored where the OS refuses. */
  niceness?: number
  signal?: AbortSignal
  stdin?: 'pipe' | 'ignore'
  stdout?: 'pipe' | 'ignore'
}

export interface FfmpegExit {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
  aborted: boolean
}

/** Bytes of stderr kept: enough for the last error lines, never a whole log. */
const STDERR_TAIL = 8 * 1024

export class FfmpegProcess {
  readonly child: ChildProcess
  readonly exited: Promise<FfmpegExit>
  #stderr = ''
  #aborted = false

  constructor(args: string[], options: FfmpegRunOptions = {}) {
    // -nostdin stops ffmpeg from reading keystrokes, unless stdin carries the frames.
    const prefix = options.stdin === 'pipe' ? ['-hide_banner'] : ['-hide_banner', '-nostdin']
    this.child = spawn(options.ffmpegPath ?? 'ffmpeg', [...prefix, ...args], {
      stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe'],
    })
    if (this.child.pid && options.niceness) {
      try {
        setPriority(this.child.pid, options.niceness)
      } catch {
        // Containers without CAP_SYS_NICE may refuse; priority is a courtesy, not a requirement.
      }
    }
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL)
    })
    const onAbort = () => {
      this.#aborted = true
      this.kill()
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.#stderr += `\n${error.message}`
      })
      this.child.once('close', (code, signal) => {
        options.signal?.removeEventListener('abort', onAbort)
        resolve({ code, signal, stderr: this.#stderr.trim(), aborted: this.#aborted })
      })
    })
  }

  /** Stops the child now; safe to call twice or after it exited. */
  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}

/** The last non-empty stderr lines, for an error's detail. */
export function stderrTail(stderr: string, lines = 6) {
  return stderr.split('\n').filter(Boolean).slice(-lines).join('\n')
}

const versions = new Map<string, Promise<string>>()

/** First line of `ffmpeg -version`, for metadata.json; asked once per binary and process. */
export function ffmpegVersion(ffmpegPath = 'ffmpeg') {
  let version = versions.get(ffmpegPath)
  if (!version) {
    version = readVersion(ffmpegPath)
    versions.set(ffmpegPath, version)
    // A binary that could not be started may be installed later: ask again next time.
    version.then((line) => line === 'unknown' && versions.delete(ffmpegPath))
  }
  return version
}

async function readVersion(ffmpegPath: string) {
  const child = spawn(ffmpegPath, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk))
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(-1))
    child.once('close', resolve)
  })
  return code === 0 ? out.split('\n')[0].trim() : 'unknown'
}

/** "00:12" or "1:02:03" for a position in seconds, as a creator reads it. */
export function formatTimestamp(seconds: number) {
  const total = Math.max(0, Math.floor(seconds))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`
}
