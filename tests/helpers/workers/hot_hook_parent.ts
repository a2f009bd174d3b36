/**
 * Run as `node --import=@poppinss/ts-exec --import=hot-hook/register` (how `npm run dev` runs
 * bin/server.ts): starts the echo thread through WorkerCalls and prints its answer.
 */
import { WorkerCalls } from '../../../workers/vision/runtime/worker_calls.js'

const calls = new WorkerCalls<{ type: string; id?: number; text?: string }>(
  new URL('./echo_worker.js', import.meta.url),
  {
    workerData: {},
    label: 'the echo thread',
  }
)
try {
  const reply = await calls.request({ type: 'echo', text: 'under hot-hook' })
  console.log(`echo: ${reply.text}`)
} catch (error) {
  console.log(`failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await calls.close()
}
