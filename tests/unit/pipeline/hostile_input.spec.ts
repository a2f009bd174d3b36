import { test } from '@japa/runner'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ffmpegMake } from '#tests/helpers/media'
import { processClip } from '#tests/helpers/pipeline'
import { PipelineError } from '#workers/pipeline/types'
import { probe, ProbeError } from '#workers/video/probe'
import { findEmbeddedScript } from '#workers/video/container'

/** A wrapper that logs each command line (one argument per line, a blank line after) and runs the real binary. */
async function loggingBinary(parent: string, binary: 'ffmpeg' | 'ffprobe') {
  const dir = await mkdtemp(join(parent, 'calls-'))
  const path = join(dir, `logged-${binary}`)
  const log = join(dir, `${binary}.log`)
  await writeFile(
    path,
    `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg" >> '${log}'; done\necho >> '${log}'\nexec ${binary} "$@"\n`
  )
  await chmod(path, 0o755)
  return {
    path,
    async calls() {
      const text = await readFile(log, 'utf8').catch(() => '')
      return text
        .split('\n\n')
        .filter(Boolean)
        .map((call) => call.split('\n').filter(Boolean))
    },
  }
}

/** The options in front of the `-i` (ffmpeg) or the bare path (ffprobe) that opens `input`. */
function optionsBefore(args: string[], input: string) {
  const at = args.indexOf(input)
  const end = args[at - 1] === '-i' ? at - 1 : at
  return args.slice(Math.max(0, end - 6), end)
}

test.group('Pipeline: hostile input (issue 22, defect 4)', (group) => {
  let work: string
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-hostile-input-'))
    return () => rm(work, { recursive: true, force: true })
  })
  group.each.timeout(120_000)

  test('every ffprobe and ffmpeg run on an original pins its demuxer and allows only file and pipe', async ({
    assert,
  }) => {
    const original = await ffmpegMake(join(work, 'original.mkv'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      '1',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'libopus',
      '-shortest',
    ])
    const ffprobe = await loggingBinary(work, 'ffprobe')
    const ffmpeg = await loggingBinary(work, 'ffmpeg')
    await processClip(original, join(work, 'out'), {
      ffprobePath: ffprobe.path,
      ffmpegPath: ffmpeg.path,
      keepAudio: true,
    })

    const calls = [...(await ffprobe.calls()), ...(await ffmpeg.calls())].filter(
      (args) => !args.includes('-version')
    )
    const onOriginal = calls.filter((args) => args.includes(original))
    assert.isAtLeast(onOriginal.length, 2, 'the probe and the decode read the original')
    for (const args of onOriginal) {
      assert.deepEqual(
        optionsBefore(args, original),
        ['-protocol_whitelist', 'file,pipe', '-format_whitelist', 'matroska', '-f', 'matroska'],
        args.join(' ')
      )
    }
    // The thumbnail and preview read our own MP4, pinned the same way.
    for (const args of calls) {
      for (const input of args.filter(
        (_, index) => args[index - 1] === '-i' && !['pipe:0', original].includes(args[index])
      )) {
        assert.deepEqual(
          optionsBefore(args, input),
          ['-protocol_whitelist', 'file,pipe', '-format_whitelist', 'mov', '-f', 'mov'],
          args.join(' ')
        )
      }
    }
  })

  test('a file that is no video container is refused before ffprobe ever opens it', async ({
    assert,
  }) => {
    const playlist = join(work, 'original')
    await writeFile(
      playlist,
      '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n'
    )
    const ffprobe = await loggingBinary(work, 'ffprobe')
    const error = await processClip(playlist, join(work, 'refused'), {
      ffprobePath: ffprobe.path,
    }).catch((caught) => caught)
    assert.instanceOf(error, PipelineError)
    assert.equal(error.step, 'probe')
    assert.deepEqual(await ffprobe.calls(), [])
  })

  test('with the demuxer pinned, ffprobe does not fall back to guessing the format', async ({
    assert,
  }) => {
    const webm = await ffmpegMake(join(work, 'clip.webm'), [
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=10',
      '-t',
      '1',
    ])
    const probed = await probe(webm, { container: 'matroska' })
    assert.equal(probed.video.length, 1)
    const error = await probe(webm, { container: 'mp4' }).catch((caught) => caught)
    assert.instanceOf(error, ProbeError)
  })

  test('a playlist marker is found even when it straddles two chunks', async ({ assert }) => {
    async function* chunks(...parts: string[]) {
      for (const part of parts) yield Buffer.from(part, 'latin1')
    }
    assert.equal(await findEmbeddedScript(chunks('\x00\x01junk#EX', 'TM3U\n#EXT')), '#EXTM3U')
    assert.equal(await findEmbeddedScript(chunks('ffconcat ver', 'sion 1.0')), 'ffconcat version')
    assert.isNull(await findEmbeddedScript(chunks('#EXT', 'INF but no playlist header')))
  })
})
