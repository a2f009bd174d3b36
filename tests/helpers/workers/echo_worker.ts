/** A worker thread for the WorkerCalls tests: echoes, fails, stays silent or exits, as asked. */
import { parentPort } from 'node:worker_threads'

parentPort!.postMessage({ type: 'hello' })
parentPort!.on(
  'message',
  (message: { type: string; id?: number; code?: number; text?: string }) => {
    if (message.type === 'echo')
      parentPort!.postMessage({ type: 'echo', id: message.id, text: message.text })
    else if (message.type === 'fail')
      parentPort!.postMessage({ type: 'error', id: message.id, message: 'no such thing' })
    else if (message.type === 'exit') process.exit(message.code)
    // 'hang': never answered.
  }
)
