import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'

const connection = {
  host: env.get('DB_HOST'),
  port: env.get('DB_PORT'),
  user: env.get('DB_USER'),
  password: env.get('DB_PASSWORD'),
  database: env.get('DB_DATABASE'),
}

const dbConfig = defineConfig({
  connection: 'postgres',
  prettyPrintDebugQueries: !app.inProduction,
  connections: {
    postgres: {
      client: 'pg',
      connection,
      pool: { min: 0, max: 10 },
      // Models declare their columns themselves; no generated schema classes.
      schemaGeneration: { enabled: false },
      migrations: {
        naturalSort: true,
        paths: ['database/migrations'],
      },
      // Lucid runs every file under these folders (recursively) on a plain `node ace db:seed`:
      // only what an instance or its demo needs lives here.
      seeders: {
        paths: ['database/seeders'],
      },
    },
    /*
     * The same database, seen by the benchmarks' seeders: a plain `db:seed` never runs them, and
     * `node ace db:seed --connection bench --files bench/seeders/<name>.ts` runs one by name
     * (bench/catalog.ts and bench/drill.ts do, each in a database of its own).
     */
    bench: {
      client: 'pg',
      connection,
      pool: { min: 0, max: 2 },
      schemaGeneration: { enabled: false },
      seeders: {
        paths: ['bench/seeders'],
      },
    },
  },
})

export default dbConfig
