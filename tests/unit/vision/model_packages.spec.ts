import { test } from '@japa/runner'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  MODELS,
  TEXT_DICTIONARY,
  companionFile,
  packageFile,
  type ModelSource,
} from '#workers/vision/models'
import { modelPackageFiles, pruneModelPackages } from '#workers/vision/model_packages'

/** Writes `files` (paths relative to `root`) with a few bytes each. */
async function given(root: string, files: string[]) {
  for (const file of files) {
    await mkdir(dirname(join(root, file)), { recursive: true })
    await writeFile(join(root, file), 'x'.repeat(10))
  }
}

async function listed(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort()
}

test.group('Model packages, trimmed for the image', (group) => {
  let nodeModules: string
  group.each.setup(async () => {
    nodeModules = await mkdtemp(join(tmpdir(), 'athera-model-packages-'))
    return () => rm(nodeModules, { recursive: true, force: true })
  })

  test('the kept files are what the catalog reads, and the installed packages have them all', async ({
    assert,
  }) => {
    const keep = modelPackageFiles()
    for (const source of Object.values(MODELS) as ModelSource[]) {
      const files = keep.get(source.package)!
      assert.isTrue(files.has(source.file), `${source.package}/${source.file}`)
      assert.isTrue(files.has('package.json'), source.package)
      const companion = companionFile(source)
      if (companion) assert.isTrue(files.has(companion), `${source.package}/${companion}`)
    }
    assert.isTrue(keep.get(TEXT_DICTIONARY.package)!.has(TEXT_DICTIONARY.file))
    // An upgrade that moves weights fails here too, not only in the image build.
    for (const [pkg, files] of keep) {
      for (const file of files) assert.isTrue(existsSync(packageFile(pkg, file)), `${pkg}/${file}`)
    }
  })

  test('given a package with browser files, then only the model files, package.json and the licence stay', async ({
    assert,
  }) => {
    const keep = new Map([
      ['@vendor/models', new Set(['package.json', 'weights/a.tflite', 'weights/b.json'])],
    ])
    await given(join(nodeModules, '@vendor/models'), [
      'package.json',
      'LICENSE',
      'README.md',
      'solution_wasm_bin.wasm',
      'solution.js',
      'weights/a.tflite',
      'weights/b.json',
      'weights/unused.tflite',
      'demo/index.html',
      'demo/LICENSE',
    ])
    await given(join(nodeModules, 'other'), ['package.json', 'index.js'])

    const removed = await pruneModelPackages(nodeModules, keep)

    assert.deepEqual(await listed(join(nodeModules, '@vendor/models')), [
      'LICENSE',
      'package.json',
      'weights/a.tflite',
      'weights/b.json',
    ])
    // Emptied folders go; packages the catalog does not name are left alone.
    assert.isFalse(existsSync(join(nodeModules, '@vendor/models/demo')))
    assert.deepEqual(await listed(join(nodeModules, 'other')), ['index.js', 'package.json'])
    assert.equal(removed, 6 * 10)
  })

  test('given a package without a file the catalog names, then pruning fails naming it and deletes nothing', async ({
    assert,
  }) => {
    const keep = new Map([['@vendor/models', new Set(['package.json', 'weights/moved.tflite'])]])
    await given(join(nodeModules, '@vendor/models'), [
      'package.json',
      'weights/renamed.tflite',
      'extra.wasm',
    ])

    await assert.rejects(
      () => pruneModelPackages(nodeModules, keep),
      /@vendor\/models\/weights\/moved\.tflite is not in .*: the model catalog needs it/
    )
    assert.deepEqual(await listed(join(nodeModules, '@vendor/models')), [
      'extra.wasm',
      'package.json',
      'weights/renamed.tflite',
    ])
  })
})
