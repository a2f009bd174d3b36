import { spawn } from 'node:child_process'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import config from '#config/athera'
import { StorageService } from '#app/core/storage_service'

export interface CheckResult {
  ok: boolean
  latencyMs: number
  error?: string
}

export interface ReadinessReport {
  ready: boolean
  checks: Record<'database' | 'redis' | 's3' | 'ffmpeg', CheckResult>
}

/** Whether a client address is this machine (IPv4 127/8, ::1, or 127/8 mapped into IPv6). */
export function isLoopback(ip: string | undefined) {
  if (!ip) return false
  return ip === '::1' || /^(::ffff:)?127\./.test(ip)
}

/** A dependency that does not answer within this time counts as down. */
const CHECK_TIMEOUT_MS = 3_000

async function timed(probe: () => Promise<unknown>): Promise<CheckResult> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS
        )
      }),
    ])
    return { ok: true, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    }
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `ffmpeg -version` and fails unless it exits 0. */
export function probeBinary(path: string) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(path, ['-version'], { stdio: 'ignore' })
    child.once('error', (error) => reject(new Error(`${path}: ${error.message}`)))
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path} -version exited with ${code}`))
    )
  })
}

/**
 * Readiness of everything a request or a job may need. Checks run in parallel so a slow
 * dependency costs one timeout, not four.
 */
@inject()
export class HealthService {
  constructor(protected storage: StorageService) {}

  /** Overridable probes, so an operator-facing test can point one at a stopped service. */
  probes: Record<keyof ReadinessReport['checks'], () => Promise<unknown>> = {
    database: async () => db.rawQuery('SELECT 1'),
    redis: () => redis.ping(),
    s3: () => this.storage.ping(),
    ffmpeg: () => probeBinary(config.media.ffmpegPath),
  }

  async check(): Promise<ReadinessReport> {
    const [database, redisCheck, s3, ffmpeg] = await Promise.all([
      timed(this.probes.database),
      timed(this.probes.redis),
      timed(this.probes.s3),
      timed(this.probes.ffmpeg),
    ])
    const checks = { database, redis: redisCheck, s3, ffmpeg }
    return { ready: Object.values(checks).every((check) => check.ok), checks }
  }
}
