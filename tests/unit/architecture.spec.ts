import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cycles, importGraph, sourceFiles, type ImportEdge } from '#tests/helpers/import_graph'

/*
 * The one-way import rule of docs/architecture.md ("The import rule"), checked on every import
 * of the project's source. Type-only imports are erased at compile time: they count for the
 * layers (a feature reads another's types through its public file too) but not for cycles.
 */
const SOURCE_FOLDERS = [
  'app',
  'workers',
  'start',
  'config',
  'providers',
  'commands',
  'database',
  'bin',
  'bench',
  'eval',
]

/** app/'s folders that are not features: the layers every feature may use, and the shell. */
const LAYERS = new Set(['core', 'models', 'middleware', 'exceptions', 'jobs'])

type Place =
  | { kind: 'feature'; name: string }
  | { kind: 'layer'; name: string }
  | { kind: 'workers' }
  | { kind: 'outside' }

function placeOf(file: string): Place {
  if (file.startsWith('workers/')) return { kind: 'workers' }
  const match = file.match(/^app\/([^/]+)\//)
  if (!match) return { kind: 'outside' }
  return LAYERS.has(match[1])
    ? { kind: 'layer', name: match[1] }
    : { kind: 'feature', name: match[1] }
}

const publicFile = (feature: string) => `app/${feature}/public.ts`

/** Why an import breaks the rule, or null when it keeps it. */
export function breach(edge: ImportEdge): string | null {
  const from = placeOf(edge.from)
  const to = placeOf(edge.to)
  if (from.kind === 'workers') {
    return /^(app|config|start)\//.test(edge.to)
      ? 'workers/ is plain TypeScript: it never imports app/, config/ or start/'
      : null
  }
  if (from.kind === 'outside' || to.kind === 'outside' || to.kind === 'workers') return null

  if (from.kind === 'layer' && from.name === 'models') {
    return to.kind === 'layer' && to.name === 'models' ? null : 'a model imports other models only'
  }
  if (from.kind === 'layer' && from.name === 'core') {
    if (to.kind === 'layer' && (to.name === 'core' || to.name === 'models')) return null
    // The queue's dispatch is typed by the jobs' table; the table itself is handed in at boot.
    if (edge.kind === 'type' && edge.to === 'app/jobs/registry.ts') return null
    return "core imports core and models only (and the job table's types)"
  }
  if (to.kind === 'feature') {
    if (from.kind === 'feature' && from.name === to.name) return null
    return edge.to === publicFile(to.name)
      ? null
      : `another feature is used through its public file, ${publicFile(to.name)}`
  }
  // The target is a layer: core and models are everyone's; jobs' table and exceptions are shared.
  if (to.name === 'core' || to.name === 'models') return null
  if (from.kind === 'layer') return null
  if (to.name === 'exceptions' || edge.to === 'app/jobs/registry.ts') return null
  return `a feature does not import app/${to.name}/ (only app/jobs/registry.ts and app/exceptions/)`
}

test.group('Architecture: the one-way import rule', (group) => {
  let edges: ImportEdge[] = []
  group.setup(() => {
    edges = importGraph(app.makePath(), SOURCE_FOLDERS)
  })

  test('the graph is read: every feature folder and layer has imports', ({ assert }) => {
    // Guards the checks below against an empty graph passing them all.
    const importers = new Set(edges.map((edge) => edge.from.split('/').slice(0, 2).join('/')))
    for (const folder of [
      'app/core',
      'app/models',
      'app/moderation',
      'app/uploads',
      'workers/vision',
      'start/routes.ts',
    ]) {
      assert.isTrue(importers.has(folder), `no import read from ${folder}`)
    }
    assert.isAbove(edges.filter((edge) => edge.kind === 'static').length, 500)
  })

  test('workers, core, models and features import only what the rule allows', ({ assert }) => {
    const breaches = edges
      .map((edge) => ({ edge, why: breach(edge) }))
      .filter((entry) => entry.why)
      .map(
        ({ edge, why }) =>
          `${edge.from}:${edge.line} imports '${edge.specifier}' (${edge.to}): ${why}`
      )
    assert.deepEqual(breaches, [], `\n${breaches.join('\n')}\n`)
  })

  test('no runtime import cycle outside app/models', ({ assert }) => {
    const runtime = edges.filter((edge) => edge.kind === 'static')
    const found = cycles(runtime)
      .filter((cycle) => !cycle.every((file) => file.startsWith('app/models/')))
      .map((cycle) => cycle.join(' → '))
    assert.deepEqual(found, [], `\n${found.join('\n')}\n`)
  })

  test('no source file outside tests is longer than 350 lines: a longer one does several things', ({
    assert,
  }) => {
    const root = app.makePath()
    const long = sourceFiles(root, SOURCE_FOLDERS)
      .map((file) => ({
        file,
        lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > 350)
      .map(({ file, lines }) => `${file}: ${lines} lines`)
    assert.deepEqual(long, [], `\n${long.join('\n')}\n`)
  })
})
