import { spawn, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import { EnvParser } from '@adonisjs/core/env'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import {
  DEFAULT_DEV_DATABASE,
  SetupProblem,
  checkDatabaseName,
  checkRedis,
  checkS3Reachable,
  countAccounts,
  developmentEnvFile,
  developmentValues,
  ensureDatabase,
} from '#app/instance/dev_setup'

const REQUIRED = [
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_DATABASE',
  'REDIS_HOST',
  'REDIS_PORT',
  'S3_ENDPOINT',
  'S3_PORT',
] as const

/** The settings as the app will see them; the required ones are checked to be there. */
type Settings = Record<string, string | undefined> & Record<(typeof REQUIRED)[number], string>

/**
 * A development instance without Docker, on a machine with Node.js, PostgreSQL and Redis:
 * `npm ci && node ace setup`, then `npm run dev`. Safe to run again: an existing .env is kept,
 * an existing database is migrated, and the demo goes only into a database without accounts.
 */
export default class Setup extends BaseCommand {
  static commandName = 'setup'
  static description =
    'Prepare a development instance: .env with fresh secrets, database, migrations and the demo'
  static help = [
    'Writes .env (never overwrites one), creates the database, migrates it and seeds the demo.',
    'S3_EMBEDDED=true in that .env makes `npm run dev` run its own S3 server (objects in tmp/s3).',
    '{{ binaryName }} setup --media ../shared/media   (demo clips made from a folder of videos)',
  ]
  // The app cannot boot before its .env exists: everything here reads the settings itself.
  static options: CommandOptions = { startApp: false }

  @flags.string({ description: `Database for a new .env (default ${DEFAULT_DEV_DATABASE})` })
  declare database?: string

  @flags.string({
    description: 'Folder of videos the demo clips are made from (DEMO_MEDIA_DIR for the seeder)',
  })
  declare media?: string

  @flags.boolean({
    description: 'Seed the demo into an empty database',
    default: true,
    showNegatedVariantInHelp: true,
  })
  declare seed: boolean

  async run() {
    try {
      await this.#setUp()
    } catch (error) {
      if (!(error instanceof SetupProblem)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }

  async #setUp() {
    if (process.env.NODE_ENV && process.env.NODE_ENV !== 'development') {
      throw new SetupProblem(
        'E_NOT_DEVELOPMENT',
        `NODE_ENV is "${process.env.NODE_ENV}" in this shell, and setup prepares development instances only: unset NODE_ENV and run it again.`
      )
    }
    if (this.media) {
      const media = resolve(this.media)
      if (!existsSync(media) || !statSync(media).isDirectory()) {
        throw new SetupProblem(
          'E_MEDIA_DIR',
          `--media names no folder: ${media} does not exist or is not a directory.`
        )
      }
    }
    const settings = await this.#settings()

    const database = await ensureDatabase(settings)
    this.logger.success(
      `${database === 'created' ? 'Created' : 'Found'} the database ${settings.DB_DATABASE} on ${settings.DB_HOST}:${settings.DB_PORT}`
    )
    await checkRedis(settings)
    this.logger.success(`Redis answers at ${settings.REDIS_HOST}:${settings.REDIS_PORT}`)

    await this.#ace(['migration:run'], {}, 'The migrations failed (see above)')
    if (this.seed) await this.#seedDemo(settings)
    else this.logger.info('The demo was not seeded (--no-seed).')

    this.#checkFfmpeg(settings)
    this.logger.success(
      `Ready. Start it with: npm run dev, then open ${settings.APP_URL ?? 'the APP_URL of .env'}`
    )
  }

  /** The .env (written when missing), read like the app reads it: the process environment wins. */
  async #settings(): Promise<Settings> {
    const path = resolve(fileURLToPath(this.app.appRoot), process.env.ENV_PATH ?? '', '.env')
    if (existsSync(path)) {
      this.logger.info(`Kept the existing ${path} (setup never overwrites it).`)
    } else {
      const name = this.database ?? DEFAULT_DEV_DATABASE
      checkDatabaseName(name)
      const example = await readFile(this.app.makePath('.env.example'), 'utf8')
      await writeFile(path, developmentEnvFile(example, developmentValues(name)), { mode: 0o600 })
      this.logger.success(
        `Wrote ${path} with fresh secrets (APP_KEY, S3_SECRET_KEY) for development`
      )
    }
    const file = await new EnvParser(await readFile(path, 'utf8'), this.app.appRoot).parse()
    const keys = new Set([
      ...Object.keys(file),
      ...Object.keys(developmentValues('')),
      'FFMPEG_PATH',
      'FFPROBE_PATH',
    ])
    const settings: Record<string, string | undefined> = {}
    for (const key of keys) settings[key] = process.env[key] || file[key]

    if (settings.NODE_ENV !== 'development') {
      throw new SetupProblem(
        'E_NOT_DEVELOPMENT',
        `.env says NODE_ENV=${settings.NODE_ENV ?? '(nothing)'}, and setup prepares development instances only (production: docker/README.md).`
      )
    }
    if (this.database && this.database !== settings.DB_DATABASE) {
      throw new SetupProblem(
        'E_DATABASE_FLAG',
        `--database applies to a new .env only, and this one uses ${settings.DB_DATABASE}: edit DB_DATABASE in ${path} instead.`
      )
    }
    const missing = REQUIRED.filter((key) => !settings[key])
    if (missing.length > 0) {
      throw new SetupProblem(
        'E_SETTINGS_MISSING',
        `${path} lacks ${missing.join(', ')}: add them (see .env.example), or delete it and run setup again.`
      )
    }
    return settings as Settings
  }

  /** The demo, only into a database without accounts, with media from --media when given. */
  async #seedDemo(settings: Settings) {
    const accounts = await countAccounts(settings)
    if (accounts > 0) {
      this.logger.info(
        `The database already has ${accounts} account${accounts === 1 ? '' : 's'}, so the demo was not seeded${this.media ? ' and --media was not used' : ''} (it goes only into an empty instance). To start over: node ace migration:fresh, then node ace setup.`
      )
      return
    }
    const env: Record<string, string> = {}
    let stopS3 = async () => {}
    if (this.media) {
      env.DEMO_MEDIA_DIR = resolve(this.media)
      stopS3 = await this.#startS3(settings)
    }
    try {
      // Named, so a development seed never runs the benchmark's or the drill's seeders.
      await this.#ace(
        ['db:seed', '--files', 'database/seeders/demo_seeder.ts'],
        env,
        'Seeding the demo failed (see above)'
      )
    } finally {
      await stopS3()
    }
  }

  /** The demo's media are stored in S3: the embedded server runs while the seeder stores them. */
  async #startS3(settings: Settings) {
    if (settings.S3_EMBEDDED !== 'true') {
      await checkS3Reachable(settings.S3_ENDPOINT, Number(settings.S3_PORT))
      return async () => {}
    }
    const { EmbeddedS3 } = await import('#app/core/embedded_s3')
    const server = await EmbeddedS3.start({
      port: Number(settings.S3_PORT),
      directory: this.app.tmpPath('s3'),
      accessKey: settings.S3_ACCESS_KEY ?? '',
      secretKey: settings.S3_SECRET_KEY ?? '',
      bucketPrefix: settings.S3_BUCKET_PREFIX ?? '',
    }).catch((error) => {
      throw new SetupProblem('E_S3_UNREACHABLE', (error as Error).message)
    })
    return () => server.close()
  }

  /** Runs `node ace <args>` in this app with the same settings; its output goes to ours. */
  async #ace(args: string[], env: Record<string, string>, failure: string) {
    this.logger.info(`node ace ${args.join(' ')}`)
    const child = spawn(process.execPath, [this.app.makePath('ace.js'), ...args], {
      cwd: this.app.appRoot,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    })
    const code = await new Promise<number | null>((done) => child.once('exit', done))
    if (code !== 0) {
      throw new SetupProblem(
        'E_STEP_FAILED',
        `${failure}: fix the cause and run node ace setup again; the steps already done are kept.`
      )
    }
  }

  /** Clips cannot be processed without ffmpeg: said now rather than on the first upload. */
  #checkFfmpeg(settings: Settings) {
    for (const [tool, key] of [
      ['ffmpeg', 'FFMPEG_PATH'],
      ['ffprobe', 'FFPROBE_PATH'],
    ] as const) {
      const found = spawnSync(settings[key] || tool, ['-version'], { stdio: 'ignore' }).status === 0
      if (!found)
        this.logger.warning(
          `${tool} was not found: install it (for example: sudo apt install ffmpeg) or set ${key} in .env; clips cannot be processed without it.`
        )
    }
  }
}
