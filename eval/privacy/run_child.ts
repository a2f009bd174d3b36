import { spawn } from 'node:child_process'

/** Runs ffmpeg or python to the end: its stdout, or an error with the end of its stderr. */
export function run(command: string, argv: string[], input?: Buffer) {
  return new Promise<Buffer>((done, fail) => {
    const child = spawn(command, argv, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk))
    child
      .stderr!.setEncoding('utf8')
      .on('data', (chunk: string) => (err = (err + chunk).slice(-4000)))
    child.once('error', fail)
    child.once('close', (code) =>
      code === 0
        ? done(Buffer.concat(out))
        : fail(new Error(`${command} exited ${code}: ${err.trim()}`))
    )
    if (input) child.stdin!.end(input)
  })
}
