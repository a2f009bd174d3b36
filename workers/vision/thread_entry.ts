import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * A worker thread's entry as an inline module: from source (tests, `node ace` in development)
 * the TypeScript loader must be registered inside the thread too; a build runs the compiled file.
 */
export function workerEntry(compiled: URL) {
  const entry = JSON.stringify(compiled.href)
  return existsSync(fileURLToPath(compiled)) ? `await import(${entry})` : `await import('@poppinss/ts-exec'); await import(${entry})`
}
