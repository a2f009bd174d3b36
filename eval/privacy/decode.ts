/** Labelled pictures as the pipeline would hand them to the anonymizer, and back out as PNG. */
import { colourOptions, type SourceColour } from '../../workers/video/filters.js'
import { probe } from '../../workers/video/probe.js'
import { yuv420pBytes } from '../../workers/video/yuv.js'
import { FRAME } from '../letterbox.js'
import { run } from './run_child.js'

/** The frame the pipeline would hand the anonymizer: same scaler, padding and colour handling. */
export async function decodeFrame(
  source: string,
  time: number | undefined,
  colour: SourceColour | undefined
) {
  const { width, height } = FRAME
  const filter = `scale=${width}:${height}:force_original_aspect_ratio=decrease${colourOptions(colour)},pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`
  const seek = time === undefined ? [] : ['-ss', String(time)]
  const data = await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    ...seek,
    '-i',
    source,
    '-frames:v',
    '1',
    '-vf',
    filter,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1',
  ])
  if (data.length !== yuv420pBytes(width, height))
    throw new Error(`${source}: decoded ${data.length} bytes, not one frame`)
  return data
}

/** PNG of an I420 frame, read as BT.709 limited range as the encoder would tag it. */
export function writePng(data: Buffer, path: string) {
  return run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${FRAME.width}x${FRAME.height}`,
      '-i',
      'pipe:0',
      '-vf',
      'scale=in_color_matrix=bt709:in_range=tv,format=rgb24',
      '-frames:v',
      '1',
      path,
    ],
    data
  )
}

export async function sourceColour(path: string): Promise<SourceColour | undefined> {
  try {
    const probed = await probe(path)
    const stream = probed.video[0]
    return stream
      ? { colorSpace: stream.colorSpace, width: stream.width, height: stream.height }
      : undefined
  } catch {
    return undefined
  }
}
