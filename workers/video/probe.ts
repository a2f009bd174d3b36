/**
 * ffprobe behind a small typed function: what the pipeline and the upload validation need to
 * know about a media file. Plain TypeScript, no application imports.
 */
import { spawn } from 'node:child_process'
import { inputArgs, type ContainerKind } from './container.js'

export interface VideoStreamInfo {
  index: number
  codec: string
  width: number
  height: number
  /** Clockwise rotation a player applies (display matrix or legacy `rotate` tag), 0/90/180/270. */
  rotation: number
  /** Frames per second from the stream's average (or nominal) frame rate. */
  fps: number
  /** The stream's own duration (0 when the container does not say): audio may run longer. */
  durationSeconds: number
  pixelFormat: string | null
  /** The YUV matrix the stream is tagged with (`bt709`, `smpte170m`, …); null when untagged. */
  colorSpace: string | null
  /** `tv` (limited) or `pc` (full); null when untagged. */
  colorRange: string | null
  frameCount: number | null
  tags: Record<string, string>
}

export interface AudioStreamInfo {
  index: number
  codec: string
  channels: number
  sampleRate: number
  tags: Record<string, string>
}

export interface ProbeResult {
  formatName: string
  durationSeconds: number
  sizeBytes: number
  bitRate: number | null
  tags: Record<string, string>
  video: VideoStreamInfo[]
  audio: AudioStreamInfo[]
}

export type ProbeErrorCode = 'E_PROBE_UNREADABLE' | 'E_PROBE_TIMEOUT' | 'E_PROBE_MISSING_BINARY'

export class ProbeError extends Error {
  constructor(
    readonly code: ProbeErrorCode,
    message: string,
    readonly detail?: string
  ) {
    super(message)
  }
}

function parseRate(rate: string | undefined) {
  if (!rate) return 0
  const [numerator, denominator] = rate.split('/').map(Number)
  if (!denominator) return Number.isFinite(numerator) ? numerator : 0
  return numerator / denominator
}

const normalize = (degrees: number) => ((Math.round(degrees) % 360) + 360) % 360

function rotationOf(stream: any): number {
  const matrix = (stream.side_data_list ?? []).find((data: any) => data.rotation !== undefined)
  // The display matrix angle is counter-clockwise (-90 for a phone held upright); the legacy
  // `rotate` tag is already clockwise.
  if (matrix) return normalize(-Number(matrix.rotation))
  return normalize(Number(stream.tags?.rotate ?? 0))
}

/**
 * Runs ffprobe on a local file; rejects with a ProbeError saying why it could not read it.
 * Only local files and pipes may be opened; `container` (what the magic bytes found) pins the
 * demuxer, and every caller that reads an upload or an original passes it.
 */
export function probe(
  input: string,
  options: { ffprobePath?: string; timeoutMs?: number; container?: ContainerKind } = {}
) {
  const binary = options.ffprobePath ?? 'ffprobe'
  const pinned = options.container
    ? inputArgs(options.container)
    : ['-protocol_whitelist', 'file,pipe']
  const args = [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    ...pinned,
    input,
  ]
  return new Promise<ProbeResult>((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new ProbeError('E_PROBE_TIMEOUT', 'Reading the video took too long.'))
    }, options.timeoutMs ?? 30_000)
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(
        new ProbeError('E_PROBE_MISSING_BINARY', `ffprobe could not be started (${error.message}).`)
      )
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) {
        return reject(
          new ProbeError(
            'E_PROBE_UNREADABLE',
            'The file could not be read as a video: it may be truncated or corrupt.',
            stderr.trim()
          )
        )
      }
      try {
        resolve(toResult(JSON.parse(stdout)))
      } catch (error) {
        reject(
          new ProbeError(
            'E_PROBE_UNREADABLE',
            'ffprobe returned output we could not understand.',
            String(error)
          )
        )
      }
    })
  })
}

/** ffprobe prints "unknown" (or nothing) for an untagged colour property. */
function tagged(value: unknown) {
  return typeof value === 'string' && value !== '' && value !== 'unknown' ? value : null
}

function toResult(raw: any): ProbeResult {
  const streams: any[] = raw.streams ?? []
  const video = streams
    // Cover art in MP4/MKV is a "video" stream with one still picture: not footage.
    .filter((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic)
    .map<VideoStreamInfo>((stream) => ({
      index: stream.index,
      codec: stream.codec_name ?? 'unknown',
      width: Number(stream.width ?? 0),
      height: Number(stream.height ?? 0),
      rotation: rotationOf(stream),
      fps: parseRate(stream.avg_frame_rate) || parseRate(stream.r_frame_rate),
      durationSeconds: Number(stream.duration ?? 0) || 0,
      pixelFormat: stream.pix_fmt ?? null,
      colorSpace: tagged(stream.color_space),
      colorRange: tagged(stream.color_range),
      frameCount: stream.nb_frames ? Number(stream.nb_frames) : null,
      tags: stream.tags ?? {},
    }))
  const audio = streams
    .filter((stream) => stream.codec_type === 'audio')
    .map<AudioStreamInfo>((stream) => ({
      index: stream.index,
      codec: stream.codec_name ?? 'unknown',
      channels: Number(stream.channels ?? 0),
      sampleRate: Number(stream.sample_rate ?? 0),
      tags: stream.tags ?? {},
    }))
  const format = raw.format ?? {}
  const streamDuration = Math.max(0, ...streams.map((stream) => Number(stream.duration ?? 0)))
  return {
    formatName: format.format_name ?? 'unknown',
    durationSeconds: Number(format.duration ?? 0) || streamDuration,
    sizeBytes: Number(format.size ?? 0),
    bitRate: format.bit_rate ? Number(format.bit_rate) : null,
    tags: format.tags ?? {},
    video,
    audio,
  }
}
