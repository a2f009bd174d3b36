import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import DbSeed from '@adonisjs/lucid/commands/db_seed'

/** The seeder files a `db:seed` run reported, in its order (`❯ completed database/seeders/x`). */
function reported(logs: { message: string }[]) {
  return logs.flatMap((log) => log.message.match(/(?:database|bench)\/seeders\/[\w/]+/g) ?? [])
}

async function seed(argv: string[]) {
  const ace = await app.container.make('ace')
  ace.ui.switchMode('raw')
  const command = await ace.create(DbSeed, argv)
  await command.exec()
  return { command, logs: ace.ui.logger.getLogs() }
}

test.group('db:seed', (group) => {
  // The command writes through the primary connection, inside the test's transaction.
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a plain `node ace db:seed` runs what an instance and its demo need, never a benchmark seeder', async ({
    assert,
  }) => {
    const { command, logs } = await seed([])

    command.assertSucceeded()
    assert.deepEqual(reported(logs), [
      'database/seeders/consent_text_seeder',
      'database/seeders/demo_seeder',
      'database/seeders/instance_settings_seeder',
    ])
  })

  test('the catalog benchmark seeder runs only when named, and only in the benchmark’s own database', async ({
    assert,
  }) => {
    const { command, logs } = await seed([
      '--connection',
      'bench',
      '--files',
      'bench/seeders/catalog_bench_seeder.ts',
    ])

    command.assertFailed()
    assert.deepEqual(reported(logs), ['bench/seeders/catalog_bench_seeder'])
    command.assertLogMatches(/runs only in the benchmark's own database \(athera_bench_catalog\)/)
  })

  test('the drill seeder runs only when named, and only in the drill’s own database', async () => {
    const { command } = await seed([
      '--connection',
      'bench',
      '--files',
      'bench/seeders/drill_seeder.ts',
    ])

    command.assertFailed()
    command.assertLogMatches(/runs only in the drill's own database \(athera_drill\)/)
  })

  test('a benchmark seeder is not found under the primary connection', async () => {
    const { command } = await seed(['--files', 'bench/seeders/catalog_bench_seeder.ts'])

    command.assertFailed()
    command.assertLogMatches(/Invalid file path/)
  })
})
