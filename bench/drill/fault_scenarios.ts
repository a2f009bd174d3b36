/**
 * The infrastructure faults: a worker killed mid-job, Redis restarted during processing and
 * during an upload, PostgreSQL restarted during an upload.
 */
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { count, q, waitProcessed } from './checks.js'
import { tally, upload, type Session } from './http.js'
import { testVideo } from './media.js'
import { sleep, until } from './processes.js'
import {
  env,
  killWorker,
  pgCtl,
  pgDir,
  pgPort,
  startRedis,
  startWorker,
  stopRedis,
  workers,
} from './services.js'
import { scenario } from './table.js'

export async function faultScenarios(browser: Session, consentId: string) {
  await scenario('SIGKILL of a worker mid-job', 3, async () => {
    const ids: string[] = []
    let midJob = 0
    for (let index = 0; index < 3; index++) {
      const result = await upload(browser, consentId, await testVideo(4), {
        filename: `sigkill-${index}.mp4`,
      })
      if (!result.clipId) throw new Error(`upload refused: ${result.status} ${result.error}`)
      ids.push(result.clipId)
      const midway = await until(
        async () =>
          (await count(
            `SELECT count(*) AS n FROM clips WHERE id = $1 AND status = 'processing' AND progress >= 10`,
            [result.clipId]
          )) === 1,
        60_000,
        200
      )
      for (const worker of [...workers]) killWorker(worker)
      await startWorker()
      if (midway) midJob += 1
      await waitProcessed([result.clipId])
    }
    // A killed worker cannot clean its local work directory; what is left there is disk, not S3.
    const workDir = env.PIPELINE_WORK_DIR!
    const left = existsSync(workDir) ? await readdir(workDir) : []
    const leftover = left.length
    return {
      once: `${await waitProcessed(ids, 1000)}/3`,
      note: `killed mid-job (processing, progress ≥ 10 %) ${midJob}/3; local work dirs left behind ${leftover}`,
    }
  })

  await scenario('Redis restarted during processing', 1, async () => {
    const result = await upload(browser, consentId, await testVideo(4), {
      filename: 'redis-processing.mp4',
    })
    if (!result.clipId) throw new Error(`upload refused: ${result.status} ${result.error}`)
    await until(
      async () =>
        (await count(`SELECT count(*) AS n FROM clips WHERE id = $1 AND status = 'processing'`, [
          result.clipId,
        ])) === 1,
      60_000,
      200
    )
    const [at] = await q<{ status: string; progress: number }>(
      'SELECT status, progress FROM clips WHERE id = $1',
      [result.clipId]
    )
    await stopRedis()
    await sleep(3000)
    await startRedis()
    return {
      once: `${await waitProcessed([result.clipId])}/1`,
      note: `Redis stopped 3 s with the clip ${at?.status} at ${at?.progress ?? 0} %`,
    }
  })

  await scenario('Redis restarted during an upload', 1, async () => {
    const retriesBefore = tally.retries
    const result = await upload(browser, consentId, await testVideo(4), {
      filename: 'redis-upload.mp4',
      chunks: 3,
      between: async () => {
        await stopRedis()
        await sleep(2000)
        await startRedis()
      },
    })
    if (!result.clipId)
      return {
        once: '0/1',
        note: `upload failed: ${result.status} ${String(result.error).slice(0, 120)}`,
      }
    return {
      once: `${await waitProcessed([result.clipId])}/1`,
      note: `fault after the first of 3 chunks; ${tally.retries - retriesBefore} chunk retries`,
    }
  })

  await scenario('PostgreSQL restarted during an upload', 1, async () => {
    const retriesBefore = tally.retries
    const result = await upload(browser, consentId, await testVideo(4), {
      filename: 'pg-upload.mp4',
      chunks: 3,
      between: async () => {
        await pgCtl(
          '-m',
          'fast',
          'restart',
          '-o',
          `-p ${pgPort} -k ${pgDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
          '-l',
          join(pgDir, 'log')
        )
      },
    })
    if (!result.clipId)
      return {
        once: '0/1',
        note: `upload failed: ${result.status} ${String(result.error).slice(0, 120)}`,
      }
    return {
      once: `${await waitProcessed([result.clipId])}/1`,
      note: `fault after the first of 3 chunks; ${tally.retries - retriesBefore} chunk retries`,
    }
  })
}
