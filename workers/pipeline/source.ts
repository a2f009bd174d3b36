/**
 * The probe step's work: what container the input really is, and the source facts that
 * metadata.json reports, with a probe failure turned into the pipeline's error.
 */
import { open } from 'node:fs/promises'
import { probe, ProbeError, type ProbeResult } from '../video/probe.js'
import { detectContainer, type ContainerKind } from '../video/container.js'
import { PipelineError, type PipelineOptions } from './types.js'

/** Source facts as metadata.json reports them, kept in steps.json by the probe step. */
export interface SourceInfo {
  format: string
  codec: string
  width: number
  height: number
  rotation: number
  fps: number
  durationSeconds: number
  hasAudio: boolean
  sizeBytes: number
  /** The matrix the source is tagged with, null when untagged (see colourOptions). */
  colorSpace: string | null
  colorRange: string | null
}

/**
 * The container the file's first bytes say it is. ffprobe and ffmpeg read the file with that
 * demuxer only, so a file cannot pass for a playlist or a script that opens other files.
 */
export async function containerOf(inputPath: string): Promise<ContainerKind> {
  const handle = await open(inputPath, 'r')
  try {
    const head = Buffer.alloc(64)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    const found = detectContainer(head.subarray(0, bytesRead))
    // An audio-only MP4 is still read with the MP4 demuxer, so the probe can say what it lacks.
    if (found.kind ?? found.family) return (found.kind ?? found.family)!
    throw new PipelineError(
      'E_INPUT_UNREADABLE',
      'probe',
      found.refusal ?? 'This file is not a supported video: MP4, MOV, MKV, WebM or AVI.'
    )
  } finally {
    await handle.close()
  }
}

export async function probeSource(
  inputPath: string,
  options: PipelineOptions,
  sizeBytes: number,
  container: ContainerKind
): Promise<SourceInfo> {
  let info: ProbeResult
  try {
    info = await probe(inputPath, { ffprobePath: options.ffprobePath, container })
  } catch (error) {
    if (error instanceof ProbeError)
      throw new PipelineError('E_INPUT_UNREADABLE', 'probe', error.message, error.detail)
    throw error
  }
  const video = info.video[0]
  if (!video || video.width === 0 || video.height === 0) {
    throw new PipelineError('E_NO_VIDEO', 'probe', 'This file has no video stream.')
  }
  return {
    format: info.formatName,
    codec: video.codec,
    width: video.width,
    height: video.height,
    rotation: video.rotation,
    fps: Math.round(video.fps * 1000) / 1000,
    // The video's own length: the file's may be longer when its audio runs on.
    durationSeconds: video.durationSeconds || info.durationSeconds,
    hasAudio: info.audio.length > 0,
    sizeBytes: info.sizeBytes || sizeBytes,
    colorSpace: video.colorSpace,
    colorRange: video.colorRange,
  }
}
