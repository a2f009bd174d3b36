import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { join } from 'node:path'
import config from '#config/athera'

/** Work folders this process is using; a second run of a clip here works in a folder of its own. */
const busyFolders = new Set<string>()

/**
 * The clip's work folder, so a retry on this machine resumes where the last attempt stopped;
 * while another run (this process, or another on the same disk, by its lock file) holds it, a
 * private one instead: two runs writing the same files would corrupt each other's outputs.
 */
export async function claimWorkFolder(clipId: string) {
  const shared = join(config.pipeline.workDir, clipId)
  await mkdir(shared, { recursive: true })
  const lock = join(shared, '.lock')
  const owner = `${hostname()} ${process.pid}`
  const free = !busyFolders.has(shared)
  if (free) busyFolders.add(shared)
  if (free && (await takeLock(lock, owner).catch(() => false))) {
    return {
      path: shared,
      async release(remove: boolean) {
        busyFolders.delete(shared)
        if (remove) await rm(shared, { recursive: true, force: true })
        else await rm(lock, { force: true })
      },
    }
  }
  if (free) busyFolders.delete(shared)
  const own = join(config.pipeline.workDir, `${clipId}.${randomUUID()}`)
  await mkdir(own, { recursive: true })
  return { path: own, release: () => rm(own, { recursive: true, force: true }) }
}

/** Creates the lock file, or takes over one whose process is gone (a crashed worker). */
async function takeLock(lock: string, owner: string) {
  try {
    const handle = await open(lock, 'wx')
    await handle.writeFile(owner)
    await handle.close()
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const holder = await readFile(lock, 'utf8').catch(() => '')
  const [host, pid] = holder.split(' ')
  // Our own pid here is a lock this process failed to remove: busyFolders says it is free.
  if (host === hostname() && pid && pid !== String(process.pid) && processAlive(Number(pid)))
    return false
  await writeFile(lock, owner)
  return true
}

function processAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
