/**
 * `steps.json` in the output folder: which steps finished, with the hash of each output and
 * what later steps need from them. A retried job (or a second CLI run) skips a step whose
 * outputs are still there with the recorded hash; a change of input or settings starts over.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { digestFile, writeJsonAtomically, type FileDigest } from './files.js'
import type { OutputKind, StepName } from './types.js'

export interface StepRecord {
  outputs: Partial<Record<OutputKind, FileDigest & { file: string }>>
  /** Step results later steps read (probe info, frame counts, processor statistics). */
  data: Record<string, any>
  ms: number
  finishedAt: string
}

interface LedgerFile {
  fingerprint: string
  steps: Partial<Record<StepName, StepRecord>>
}

export class StepLedger {
  #path: string
  #outDir: string
  #file: LedgerFile

  private constructor(outDir: string, file: LedgerFile) {
    this.#outDir = outDir
    this.#path = join(outDir, 'steps.json')
    this.#file = file
  }

  /** Reads the ledger; one written for another input or other settings counts as empty. */
  static async open(outDir: string, fingerprint: string) {
    let file: LedgerFile = { fingerprint, steps: {} }
    try {
      const saved = JSON.parse(await readFile(join(outDir, 'steps.json'), 'utf8')) as LedgerFile
      if (saved.fingerprint === fingerprint && saved.steps) file = saved
    } catch {
      // Missing or unreadable: every step runs.
    }
    return new StepLedger(outDir, file)
  }

  /** The record of a finished step whose outputs are all on disk with the recorded hash. */
  async valid(step: StepName): Promise<StepRecord | null> {
    const record = this.#file.steps[step]
    if (!record) return null
    for (const output of Object.values(record.outputs)) {
      const actual = await digestFile(join(this.#outDir, output!.file)).catch(() => null)
      if (!actual || actual.sha256 !== output!.sha256 || actual.bytes !== output!.bytes) return null
    }
    return record
  }

  get(step: StepName) {
    return this.#file.steps[step]
  }

  async record(step: StepName, record: StepRecord) {
    this.#file.steps[step] = record
    await writeJsonAtomically(this.#path, this.#file)
  }

  /** Forgets steps whose inputs were just rebuilt. */
  async invalidate(steps: StepName[]) {
    for (const step of steps) delete this.#file.steps[step]
    await writeJsonAtomically(this.#path, this.#file)
  }
}
