import { readdirSync } from 'node:fs'
import { indexEntities } from '@adonisjs/core'
import { defineConfig } from '@adonisjs/core/app'
import stringHelpers from '@adonisjs/core/helpers/string'

/**
 * app/ is one folder per feature (docs/architecture.md). Controllers and policies live in each
 * feature's `controllers/` and `policies/` folders, and their generated indexes keep the flat
 * keys the routes and `bouncer.with()` use: `controllers.AdminModeration`, `policies.ClipPolicy`.
 * Only the REST API's controllers keep their folder as a namespace: `controllers.api.Catalog`.
 */
const NAMESPACED_FEATURES = ['api']
const appFolders = readdirSync(new URL('./app', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !NAMESPACED_FEATURES.includes(entry.name))
  .map((entry) => entry.name)

/** bouncer's `indexPolicies()` names a policy after its folders too; this one drops the feature. */
function indexFeaturePolicies() {
  return {
    run(_: unknown, __: unknown, indexGenerator: any) {
      indexGenerator.add('policies', {
        source: 'app',
        glob: ['**/app/*/policies/*_policy.ts'],
        importAlias: '#app',
        output: '.adonisjs/server/policies.ts',
        as(vfs: any, buffer: any, ___: unknown, helpers: { toImportPath(path: string): string }) {
          const files: Record<string, string> = vfs.asList()
          const entries = Object.keys(files)
            .map((key) => [stringHelpers.pascalCase(key.split('/').pop()!), files[key]] as const)
            .sort(([a], [b]) => a.localeCompare(b))
          buffer.write('export const policies = {').indent()
          for (const [name, file] of entries)
            buffer.write(`${name}: () => import('${helpers.toImportPath(file)}'),`)
          buffer.dedent().writeLine('}')
        },
      })
    },
  }
}

export default defineConfig({
  experimental: {},

  commands: [
    () => import('@adonisjs/core/commands'),
    () => import('@adonisjs/lucid/commands'),
    () => import('@adonisjs/session/commands'),
    () => import('@adonisjs/bouncer/commands'),
    () => import('@adonisjs/mail/commands'),
  ],

  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    {
      file: () => import('@adonisjs/core/providers/repl_provider'),
      environment: ['repl', 'test'],
    },
    () => import('@adonisjs/core/providers/vinejs_provider'),
    () => import('@adonisjs/core/providers/edge_provider'),
    () => import('@adonisjs/session/session_provider'),
    () => import('@adonisjs/vite/vite_provider'),
    () => import('@adonisjs/shield/shield_provider'),
    () => import('@adonisjs/static/static_provider'),
    () => import('@adonisjs/lucid/database_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/bouncer/bouncer_provider'),
    () => import('@adonisjs/redis/redis_provider'),
    () => import('@adonisjs/limiter/limiter_provider'),
    () => import('@adonisjs/mail/mail_provider'),
    () => import('#providers/athera_provider'),
    {
      // S3_EMBEDDED=true (development only): an s3rver for `npm run dev`.
      file: () => import('#providers/embedded_s3_provider'),
      environment: ['web'],
    },
  ],

  preloads: [
    () => import('#start/routes'),
    () => import('#start/kernel'),
    () => import('#start/view'),
    () => import('#start/limiter'),
  ],

  tests: {
    suites: [
      {
        files: ['tests/unit/**/*.spec.ts'],
        name: 'unit',
        timeout: 10000,
      },
      {
        files: ['tests/functional/**/*.spec.ts'],
        name: 'functional',
        timeout: 60000,
      },
      {
        files: ['tests/browser/**/*.spec.ts'],
        name: 'browser',
        timeout: 120000,
      },
    ],
    forceExit: true,
  },

  metaFiles: [
    { pattern: 'resources/views/**/*.edge', reloadServer: false },
    { pattern: 'public/**', reloadServer: false },
    { pattern: 'database/sql/**', reloadServer: false },
  ],

  hooks: {
    init: [
      indexEntities({
        controllers: {
          source: 'app',
          glob: ['**/app/*/controllers/**/*_controller.ts'],
          importAlias: '#app',
          skipSegments: ['controllers', ...appFolders],
        },
      }),
      indexFeaturePolicies(),
    ],
    buildStarting: [() => import('@adonisjs/vite/build_hook')],
  },
})
