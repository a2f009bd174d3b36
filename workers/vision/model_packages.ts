/**
 * The npm packages that ship the model weights also ship what only a browser runs (MediaPipe's
 * WASM solutions, face-api's bundles, demos and other models): about 45 MB the app never
 * reads. The image keeps only what ./models.ts reads from them (bin/prune_model_packages.ts),
 * so the models can still be converted there (an empty MODEL_CACHE_DIR volume) and their
 * cache names, keyed by the source's sha256, still resolve.
 */
import { readdir, rm, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { MODELS, TEXT_DICTIONARY, companionFile, type ModelSource } from './models.js'

/** Licence texts stay with what is redistributed. */
const LICENCE = /^(licen[cs]e|notice|copying)(\.[a-z]+)?$/i

/**
 * Every file ./models.ts reads, by package: each model's source and the file its format reads
 * beside it, the OCR dictionary, and package.json (its version names the step's models).
 */
export function modelPackageFiles() {
  const files = new Map<string, Set<string>>()
  const keep = (pkg: string, file: string) => {
    if (!files.has(pkg)) files.set(pkg, new Set(['package.json']))
    files.get(pkg)!.add(file)
  }
  for (const source of Object.values(MODELS) as ModelSource[]) {
    keep(source.package, source.file)
    const companion = companionFile(source)
    if (companion) keep(source.package, companion)
  }
  keep(TEXT_DICTIONARY.package, TEXT_DICTIONARY.file)
  return files
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Removes the folders under `dir` (not `dir`) that are left empty. */
async function removeEmptyFolders(dir: string) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const path = join(dir, entry.name)
    await removeEmptyFolders(path)
    const entries = await readdir(path)
    if (entries.length === 0) await rm(path, { recursive: true })
  }
}

/**
 * Deletes from each model package under `nodeModules` every file but those the app reads (and
 * licence texts at the package's root). A file the catalog names but the package lacks is an
 * error naming it, so an upgrade that moves weights fails the build rather than a clip.
 * Returns the bytes removed.
 */
export async function pruneModelPackages(nodeModules: string, keep = modelPackageFiles()) {
  // Every package is checked before any is touched.
  for (const [pkg, files] of keep) {
    for (const file of files) {
      const found = await stat(join(nodeModules, pkg, file)).catch(() => null)
      if (!found?.isFile())
        throw new Error(`${pkg}/${file} is not in ${nodeModules}: the model catalog needs it.`)
    }
  }
  let removed = 0
  for (const [pkg, files] of keep) {
    const root = join(nodeModules, pkg)
    for (const path of await filesUnder(root)) {
      const name = relative(root, path).split(sep).join('/')
      if (files.has(name) || (!name.includes('/') && LICENCE.test(name))) continue
      const stats = await stat(path).catch(() => ({ size: 0 }))
      removed += stats.size
      await rm(path, { force: true })
    }
    await removeEmptyFolders(root)
  }
  return removed
}
