// After `npm ci`: convert the models now rather than on the first clip. Where the TypeScript
// loader is not installed (a production-only install), say so and leave it to the image build
// (`node bin/prepare_models.js`) or to the first use; an install never fails because of it.
import { spawnSync } from 'node:child_process'

try {
  import.meta.resolve('@poppinss/ts-exec')
} catch {
  console.log('athera: models are converted by `node bin/prepare_models.js` or on first use.')
  process.exit(0)
}
const run = spawnSync(
  process.execPath,
  ['--import', '@poppinss/ts-exec', 'bin/prepare_models.ts'],
  { stdio: 'inherit' }
)
if (run.status !== 0) {
  console.warn(
    'athera: model conversion failed; it is retried on first use (or run `node ace models:prepare`).'
  )
}
