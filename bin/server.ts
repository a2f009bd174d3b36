/*
 * Process entry point (`node bin/server.js` in a build). ATHERA_ROLES decides what runs:
 * "web,worker" (default) serves HTTP and works jobs in-process (start/queue.ts), "web"
 * only serves, "worker" only works jobs, through the `worker` ace command. The worker is
 * started here rather than in a preload because ace commands boot the web environment too.
 */
import 'reflect-metadata'
import { Ignitor, prettyPrintError } from '@adonisjs/core'

const APP_ROOT = new URL('../', import.meta.url)

const IMPORTER = (filePath: string) => {
  if (filePath.startsWith('./') || filePath.startsWith('../')) {
    return import(new URL(filePath, APP_ROOT).href)
  }
  return import(filePath)
}

const roles = (process.env.ATHERA_ROLES ?? 'web,worker').split(',').map((role) => role.trim())

const ignitor = new Ignitor(APP_ROOT, { importer: IMPORTER }).tap((app) => {
  app.booting(async () => {
    await import('#start/env')
  })
  app.listen('SIGTERM', () => app.terminate())
  app.listenIf(app.managedByPm2, 'SIGINT', () => app.terminate())
  if (roles.includes('web')) {
    app.ready(async () => {
      const { bootProcessRoles } = await import('#start/queue')
      await bootProcessRoles()
    })
  }
})

const started = roles.includes('web')
  ? ignitor.httpServer().start()
  : ignitor.ace().handle(['worker'])

started.catch((error) => {
  process.exitCode = 1
  prettyPrintError(error)
})
