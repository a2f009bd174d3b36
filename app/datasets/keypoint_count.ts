import { StringDecoder } from 'node:string_decoder'
import type Clip from '#models/clip'

/** The longest line a keypoints.json frame may take when counted by streaming (no frame comes near). */
const MAX_KEYPOINTS_LINE = 16 * 1024 * 1024

/**
 * Counts a keypoints.json as the pipeline writes it (a header line, then one frame per line, then
 * the frame count) without holding it: for clips processed before their counts were recorded in
 * the database (migration 0020). A file of another layout is refused rather than loaded whole.
 */
export async function countKeypointsStream(source: AsyncIterable<Buffer | string>) {
  const tracks = new Set<number>()
  let keypointFrames = 0
  let frames = 0
  let fps = 0
  let frameCount: number | null = null
  let header = true
  let pending = ''
  const line = (text: string) => {
    // A frame's separating comma ends the line before the next frame.
    const trimmed = text.trim().replace(/^,|,$/g, '')
    if (!trimmed) return
    if (header) {
      header = false
      if (!trimmed.endsWith('"frames":[')) {
        // A whole document on one line (short enough to get here: a hand-made or older file).
        const whole = JSON.parse(trimmed) as {
          fps?: number
          frameCount?: number
          frames?: { people?: { trackId?: number }[] }[]
        }
        fps = Number(whole.fps ?? 0)
        frameCount = Number(whole.frameCount ?? whole.frames?.length ?? 0)
        for (const frame of whole.frames ?? []) count(frame)
        return
      }
      fps = Number(/"fps":\s*([0-9.]+)/.exec(trimmed)?.[1] ?? 0)
      return
    }
    if (trimmed.startsWith(']')) {
      const match = /"frameCount":\s*([0-9]+)/.exec(trimmed)
      if (match) frameCount = Number(match[1])
      return
    }
    // A frame line as the pipeline writes it is read for its track ids only: parsing each of a
    // 3 h clip's 324,000 frames took most of a minute.
    frames++
    if (/"people":\s*\[\s*\]/.test(trimmed)) return
    if (!trimmed.includes('"people"'))
      throw new Error('keypoints.json has a frame line without people')
    keypointFrames++
    for (const match of trimmed.matchAll(/"trackId":\s*(-?\d+)/g)) tracks.add(Number(match[1]))
  }
  const count = (frame: { people?: { trackId?: number }[] }) => {
    frames++
    if (!frame.people?.length) return
    keypointFrames++
    for (const person of frame.people)
      if (typeof person.trackId === 'number') tracks.add(person.trackId)
  }
  // A chunk may end inside a multi-byte character: the decoder keeps it for the next one.
  const decoder = new StringDecoder('utf8')
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
    let end = pending.indexOf('\n')
    while (end !== -1) {
      line(pending.slice(0, end))
      pending = pending.slice(end + 1)
      end = pending.indexOf('\n')
    }
    if (pending.length > MAX_KEYPOINTS_LINE)
      throw new Error('keypoints.json has a line too long to count by streaming')
  }
  line(pending + decoder.end())
  return { people: tracks.size, keypointFrames, frameCount: frameCount ?? frames, fps }
}

/** What publishing counts of a clip: its people, frames with people, and duration. */
export interface ClipCounts {
  people: number
  keypointFrames: number
  durationMs: number
}

/**
 * A clip's counts as the pipeline recorded them (0020); an older clip's are counted by
 * streaming its keypoints.json, which `keypoints` opens.
 */
export async function clipCounts(
  clip: Pick<
    Clip,
    'durationMs' | 'keypointPeople' | 'keypointFrames' | 'keypointFrameCount' | 'keypointFps'
  >,
  keypoints: () => Promise<AsyncIterable<Buffer>>
): Promise<ClipCounts> {
  const recorded =
    clip.keypointPeople !== null &&
    clip.keypointFrames !== null &&
    clip.keypointFrameCount !== null &&
    clip.keypointFps !== null
      ? {
          people: clip.keypointPeople,
          keypointFrames: clip.keypointFrames,
          frameCount: clip.keypointFrameCount,
          fps: clip.keypointFps,
        }
      : await countKeypointsStream(await keypoints())
  // The upload's probe gives the duration; the processed frames stand in where it is unknown.
  const durationMs =
    clip.durationMs ?? (recorded.fps ? Math.round((recorded.frameCount / recorded.fps) * 1000) : 0)
  return { people: recorded.people, keypointFrames: recorded.keypointFrames, durationMs }
}
