/*
 * One decode and encode of a source at the pipeline's size and rate, with the catalog files
 * the encoder writes on the way. The first run (standardize) and a reviewer's re-render (redact)
 * both go through here, so a re-rendered clip is encoded exactly as the first one was.
 */
import { existsSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { FrameReader } from '../video/frames.js'
import { FrameEncoder, type EncoderTap } from '../video/frame_encoder.js'
import type { SourceColour } from '../video/filters.js'
import type { ContainerKind } from '../video/container.js'
import { partialPath } from './files.js'
import { previewTap, thumbnailFrame, thumbnailTap } from './previews.js'
import type { PipelineOptions } from './types.js'

export type CatalogKind = 'thumbnail' | 'preview'
export type CatalogTap = EncoderTap & { kind: CatalogKind; final: string }

/** What the probe said of the source, and where the catalog files go (none when not wanted). */
export interface PassSource {
  inputPath: string
  /** What the input's magic bytes are: ffmpeg reads it with that demuxer only. */
  container?: ContainerKind
  sourceFps: number
  hasAudio: boolean
  colour?: SourceColour
  thumbnailPath?: string
  previewPath?: string
}

/**
 * The thumbnail and preview taps for a clip of `expectedFrames`. A file left by an earlier run is
 * removed first: it must not pass for this run's.
 */
export async function catalogTaps(
  source: PassSource,
  expectedFrames: number,
  options: PipelineOptions
): Promise<CatalogTap[]> {
  const taps: CatalogTap[] = []
  if (source.thumbnailPath) {
    taps.push({
      kind: 'thumbnail',
      final: source.thumbnailPath,
      ...thumbnailTap(partialPath(source.thumbnailPath), thumbnailFrame(expectedFrames)),
    })
  }
  if (source.previewPath) {
    const settings = {
      seconds: options.previewSeconds,
      height: options.previewHeight,
      fps: options.fps,
    }
    taps.push({
      kind: 'preview',
      final: source.previewPath,
      ...previewTap(partialPath(source.previewPath), settings),
    })
  }
  await Promise.all(
    taps.flatMap((tap) => [rm(tap.final, { force: true }), rm(tap.path, { force: true })])
  )
  return taps
}

/**
 * The decoder of `source` and the encoder into `videoPath`, niced and stopped by `signal`.
 * `maxFrames` bounds the decode (a header that lies about the length).
 */
export function openPass(
  source: PassSource,
  videoPath: string,
  taps: CatalogTap[],
  options: PipelineOptions,
  signal: AbortSignal | undefined,
  maxFrames?: number
) {
  const { fps, width, height } = options
  const child = { ffmpegPath: options.ffmpegPath, niceness: options.niceness ?? 10, signal }
  const reader = new FrameReader(
    source.inputPath,
    { width, height, fps },
    {
      ...child,
      sourceFps: source.sourceFps,
      colour: source.colour,
      container: source.container,
      maxFrames,
    }
  )
  const audio = keepsAudio(source, options)
  const encoder = new FrameEncoder(videoPath, {
    ...child,
    width,
    height,
    fps,
    gop: options.gop,
    audioFrom: audio ? source.inputPath : undefined,
    audioContainer: source.container,
    inputRate: reader.rate,
    taps,
  })
  return { reader, encoder, audio }
}

/** Whether the output carries the source's audio. */
export function keepsAudio(source: Pick<PassSource, 'hasAudio'>, options: PipelineOptions) {
  return Boolean(options.keepAudio && source.hasAudio)
}

/** Moves the catalog files the encoder wrote into place: a thumbnail past the real end was not. */
export async function publishTaps(taps: CatalogTap[]): Promise<CatalogKind[]> {
  const made: CatalogKind[] = []
  for (const tap of taps) {
    if (!existsSync(tap.path)) continue
    await rename(tap.path, tap.final)
    made.push(tap.kind)
  }
  return made
}

/** Removes what the taps had written so far, after a failed pass. */
export async function discardTaps(taps: CatalogTap[]) {
  await Promise.all(taps.map((tap) => rm(tap.path, { force: true })))
}
