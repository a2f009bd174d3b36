/** The drill's scenarios, each measured before and after, and the table they make. */
import { halfWritten, storageState, total } from './checks.js'
import { tally } from './http.js'
import { sleep } from './processes.js'

interface Row {
  scenario: string
  runs: number
  once: string
  orphans: number
  halfWritten: number
  licences: string
  fiveHundreds: number
  note: string
}
export const rows: Row[] = []
export async function scenario(
  name: string,
  runs: number,
  body: () => Promise<{ once: string; licences?: string; note?: string }>
) {
  const startedAt = Date.now()
  process.stdout.write(`· ${name}… `)
  const before = {
    storage: await storageState(),
    half: await halfWritten(),
    errors: tally.fiveHundreds,
  }
  let result: { once: string; licences?: string; note?: string }
  try {
    result = await body()
  } catch (error) {
    result = { once: 'error', note: (error as Error).message.slice(0, 160) }
  }
  await sleep(1500)
  const after = {
    storage: await storageState(),
    half: await halfWritten(),
    errors: tally.fiveHundreds,
  }
  const grew = Object.entries(after.half)
    .filter(([key, value]) => value > (before.half[key] ?? 0))
    .map(([key, value]) => `${key} +${value - (before.half[key] ?? 0)}`)
  const row: Row = {
    scenario: name,
    runs,
    once: result.once,
    orphans: after.storage.orphans - before.storage.orphans,
    halfWritten:
      total(after.half) - total(before.half) + (after.storage.missing - before.storage.missing),
    licences: result.licences ?? '0',
    fiveHundreds: after.errors - before.errors,
    note: [
      result.note,
      ...grew,
      after.storage.missing > before.storage.missing
        ? `asset rows without object +${after.storage.missing - before.storage.missing}`
        : '',
    ]
      .filter(Boolean)
      .join('; '),
  }
  rows.push(row)
  console.log(`${((Date.now() - startedAt) / 1000).toFixed(0)} s`)
}

export function printTable() {
  const header = [
    'scenario',
    'runs',
    'clips processed exactly once',
    'objects orphaned',
    'half-written rows',
    'licences issued',
    '5xx answers',
  ]
  const body = rows.map((row) => [
    row.scenario,
    String(row.runs),
    row.once,
    String(row.orphans),
    String(row.halfWritten),
    row.licences,
    String(row.fiveHundreds),
  ])
  console.log('')
  console.log(`| ${header.join(' | ')} |`)
  console.log(`|${header.map(() => '---').join('|')}|`)
  for (const line of body) console.log(`| ${line.join(' | ')} |`)
  const notes = rows.filter((row) => row.note)
  if (notes.length) {
    console.log('')
    for (const row of notes) console.log(`- ${row.scenario}: ${row.note}`)
  }
}
