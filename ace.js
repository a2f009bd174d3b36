/*
 * Entry point for `node ace`: registers the TypeScript JIT loader, then hands over to
 * bin/console.ts. In a production build this file is replaced by the compiled one.
 */
import '@poppinss/ts-exec'

await import('./bin/console.js')
