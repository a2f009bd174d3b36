import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import app from '@adonisjs/core/services/app'

/** A port nobody listens on right now (asked of the kernel, then released). */
export function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * Another server process of this checkout, on loopback, with `env` on top of the test
 * settings: for behaviour that depends on boot-time settings the test process cannot change
 * (compose's Redis session store). It sees only committed rows. `stop()` ends it.
 */
export async function startAppServer(env: Record<string, string>) {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: app.appRoot.pathname,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      ATHERA_ROLES: 'web',
      HOST: '127.0.0.1',
      PORT: String(port),
      VITE_HMR_PORT: String(await freePort()),
      // Outside the test runner, @adonisjs/vite serves assets through its dev server only with this.
      DEV_MODE: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`

  const deadline = Date.now() + 60_000
  while (true) {
    const up = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false
    )
    if (up) break
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the app server did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }

  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
    },
  }
}
