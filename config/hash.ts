import { defineConfig, drivers } from '@adonisjs/core/hash'

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes) raised a little; tests
 * keep the same algorithm so they exercise the real code path.
 */
const hashConfig = defineConfig({
  default: 'argon',
  list: {
    argon: drivers.argon2({
      version: 0x13,
      variant: 'id',
      iterations: 3,
      memory: 65536,
      parallelism: 1,
      saltSize: 16,
      hashLength: 32,
    }),
  },
})

export default hashConfig

declare module '@adonisjs/core/types' {
  export interface HashersList extends InferHashers<typeof hashConfig> {}
}
