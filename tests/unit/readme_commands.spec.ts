import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { access, constants, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import { parseCompose } from '#tests/helpers/compose_render'

const run = promisify(execFile)

/*
 * The README marks the shell blocks a reader is meant to run with `<!-- runnable -->` on the line
 * before the fence (the curl examples of the API are not: they need a live instance). Every
 * command in those blocks must be one this test knows how to check, and each check runs what it
 * can here: the ace command's own --help with every flag the README passes, the npm script, the
 * init script in a scratch copy, the compose services and Dockerfile targets the command names.
 */
export function runnableCommands(markdown: string): string[] {
  const commands: string[] = []
  const blocks = markdown.matchAll(/<!-- runnable -->\s*\n```(?:sh|bash|shell)\n([\s\S]*?)```/g)
  for (const [, body] of blocks) {
    const lines = body.replace(/\\\n\s*/g, ' ').split('\n')
    for (const line of lines) {
      const code = line.replace(/(^|\s)#.*$/, '').trim()
      if (!code) continue
      commands.push(
        ...code
          .split(/\s*&&\s*/)
          .map((part) => part.trim())
          .filter(Boolean)
      )
    }
  }
  return commands
}

async function readme() {
  return readFile(app.makePath('README.md'), 'utf8')
}

async function packageScripts(): Promise<Record<string, string>> {
  return JSON.parse(await readFile(app.makePath('package.json'), 'utf8')).scripts
}

/** `node ace <name> --help` answers, and lists every --flag the README passes to it. */
async function checkAce(words: string[]) {
  const [name, ...rest] = words
  // Ace prints the help and then exits 1 when a required flag is missing: the help is the answer.
  const stdout = await run(process.execPath, ['ace', name, '--help'], {
    cwd: app.makePath(),
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  }).then(
    (result) => result.stdout,
    (error) => String(error.stdout ?? '')
  )
  if (!stdout.includes(`node ace ${name}`))
    throw new Error(`node ace ${name} --help does not describe ${name}`)
  for (const flag of rest
    .filter((word) => word.startsWith('--'))
    .map((word) => word.split('=')[0])) {
    if (!stdout.includes(flag)) throw new Error(`node ace ${name} has no ${flag} option`)
  }
}

async function checkNpm(words: string[]) {
  const scripts = await packageScripts()
  if (words[0] === 'ci' || words[0] === 'install') {
    await access(app.makePath('package-lock.json'))
    return
  }
  const name = words[0] === 'run' ? words[1] : words[0]
  const script = scripts[name]
  if (!script) throw new Error(`package.json has no "${name}" script`)
  const ace = /^node ace (\S+)(.*)$/.exec(script)
  if (ace) return checkAce([ace[1], ...ace[2].trim().split(/\s+/).filter(Boolean)])
  const file = /(\S+\.(?:ts|js|mjs))(\s|$)/.exec(script)?.[1]
  if (file) await access(app.makePath(file))
}

async function checkDocker(words: string[]) {
  const compose = parseCompose(await readFile(app.makePath('compose.yaml'), 'utf8'))
  if (words[0] === 'build') {
    const target = words[words.indexOf('--target') + 1]
    const dockerfile = await readFile(app.makePath('Dockerfile'), 'utf8')
    if (words.includes('--target') && !new RegExp(`^FROM .* AS ${target}$`, 'm').test(dockerfile)) {
      throw new Error(`Dockerfile has no ${target} target`)
    }
    return
  }
  if (words[0] !== 'compose') throw new Error(`unknown docker command: ${words.join(' ')}`)
  const args = words.slice(1)
  const profileAt = args.indexOf('--profile')
  if (profileAt >= 0) {
    const profile = args.splice(profileAt, 2)[1]
    const known = Object.values<any>(compose.services).some((service) =>
      service.profiles?.includes(profile)
    )
    if (!known) throw new Error(`compose.yaml has no "${profile}" profile`)
  }
  const [verb, ...more] = args
  if (!['up', 'down', 'logs', 'exec', 'run', 'ps', 'pull', 'build', 'restart'].includes(verb)) {
    throw new Error(`unexpected docker compose verb: ${verb}`)
  }
  const service = more.find((word) => !word.startsWith('-'))
  if (service && !compose.services[service])
    throw new Error(`compose.yaml has no "${service}" service`)
  if (verb === 'exec' || verb === 'run') {
    const command = more.slice(more.indexOf(service!) + 1)
    if (command[0] === 'node' && command[1] === 'ace') await checkAce(command.slice(2))
  }
}

/** docker/init-env.sh in a scratch copy of what it reads: it must write both files. */
async function checkInitEnv() {
  const root = await mkdtemp(join(tmpdir(), 'athera-readme-'))
  try {
    await mkdir(join(root, 'docker'))
    await cp(app.makePath('docker/init-env.sh'), join(root, 'docker/init-env.sh'))
    await cp(app.makePath('.env.example'), join(root, '.env.example'))
    await run('sh', [join(root, 'docker/init-env.sh')])
    await access(join(root, '.env'))
    await access(join(root, 'docker/minio-root.env'))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

export async function checkCommand(command: string) {
  const words = command.split(/\s+/).filter((word) => !/^[A-Z_]+=/.test(word))
  const [program, ...rest] = words
  if (program === 'npm') return checkNpm(rest)
  if (program === 'node' && rest[0] === 'ace') return checkAce(rest.slice(1))
  if (program === 'docker') return checkDocker(rest)
  if (program === 'npx') {
    const bin = rest.find((word) => !word.startsWith('-'))!
    await access(app.makePath('node_modules/.bin', bin), constants.X_OK)
    return
  }
  if (program === 'sh' && rest[0] === 'docker/init-env.sh') return checkInitEnv()
  if (program === 'bash' && rest[0] === '.ci/run') {
    await access(app.makePath('.ci/run'), constants.R_OK)
    await run('bash', ['-n', app.makePath('.ci/run')])
    return
  }
  throw new Error(`README lists a runnable command this test cannot check: ${command}`)
}

test.group('README: the commands it gives still run', () => {
  test('the README marks its runnable commands', async ({ assert }) => {
    const commands = runnableCommands(await readme())
    // The appliance, the two commands without Docker, and the tests.
    for (const expected of [
      'sh docker/init-env.sh',
      'docker compose up -d',
      'npm ci',
      'npm run dev',
      'npm test',
    ]) {
      assert.include(commands, expected)
    }
    assert.isTrue(
      commands.some((command) => command.startsWith('node ace setup')),
      'node ace setup is listed'
    )
  })

  test('each runnable command checks out', async ({ assert }) => {
    const failures: string[] = []
    for (const command of new Set(runnableCommands(await readme()))) {
      try {
        await checkCommand(command)
      } catch (error) {
        failures.push(`${command}: ${(error as Error).message.split('\n')[0]}`)
      }
    }
    assert.deepEqual(failures, [])
  }).timeout(120_000)

  test('the checks catch a command that no longer exists', async ({ assert }) => {
    await assert.rejects(
      () => checkCommand('node ace clip:process in.mp4 --out out/ --no-such-flag'),
      /no --no-such-flag/
    )
    await assert.rejects(() => checkCommand('node ace no:such-command'))
    await assert.rejects(() => checkCommand('npm run no-such-script'), /no "no-such-script" script/)
    await assert.rejects(
      () => checkCommand('docker compose --profile tpu up -d'),
      /no "tpu" profile/
    )
    await assert.rejects(() => checkCommand('docker compose logs web'), /no "web" service/)
    await assert.rejects(() => checkCommand('make install'), /cannot check/)
  }).timeout(60_000)

  test('the README links only files that exist in the repository', async ({ assert }) => {
    const text = await readme()
    const missing: string[] = []
    for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)\s]+)\)/g)) {
      try {
        await access(app.makePath(target.split('#')[0]))
      } catch {
        missing.push(target)
      }
    }
    assert.deepEqual(missing, [])
    // The design is documented in the repository, not in a folder beside the checkout.
    assert.include(text, '](docs/architecture.md)')
    assert.notMatch(text, /\.\.\/[\w./-]*ARCHITECTURE\.md/)
  })
})
