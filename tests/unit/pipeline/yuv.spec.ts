import { test } from '@japa/runner'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ffmpegMake } from '#tests/helpers/media'
import type { Frame } from '#workers/pipeline/types'
import { FrameReader, frameBytes } from '#workers/video/frames'
import { colourOptions, type SourceColour } from '#workers/video/filters'
import { BLACK, fill, paint, planes, rgbToYuv, yuvToRgb } from '#workers/video/yuv'
import { toRgb } from '#workers/video/sample/crop'

function blankFrame(width: number, height: number): Frame {
  const frame: Frame = {
    index: 0,
    timeMs: 0,
    width,
    height,
    format: 'yuv420p',
    data: Buffer.alloc(frameBytes({ width, height })),
  }
  fill(frame, BLACK)
  return frame
}

/** Every RGB pixel of `rgb` is within `tolerance` of `[r, g, b]`. */
function assertColour(
  assert: any,
  rgb: Buffer,
  [r, g, b]: number[],
  tolerance: number,
  what: string
) {
  assert.isAbove(rgb.length, 0)
  for (let i = 0; i < rgb.length; i += 3) {
    const pixel = [rgb[i], rgb[i + 1], rgb[i + 2]]
    const off = Math.max(Math.abs(pixel[0] - r), Math.abs(pixel[1] - g), Math.abs(pixel[2] - b))
    if (off > tolerance)
      assert.fail(`${what}: pixel ${i / 3} is ${pixel}, expected ${[r, g, b]} ± ${tolerance}`)
  }
}

test.group('yuv420p frames', (group) => {
  let work: string
  group.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'athera-yuv-'))
    return () => rm(work, { recursive: true, force: true })
  })

  test('a frame is a Y plane then quarter-size U and V planes, viewed without copying', ({
    assert,
  }) => {
    const frame = blankFrame(6, 4)
    assert.equal(frame.data.length, (6 * 4 * 3) / 2)
    const p = planes(frame)
    assert.deepEqual([p.y.length, p.u.length, p.v.length], [24, 6, 6])
    assert.deepEqual([p.chromaWidth, p.chromaHeight], [3, 2])
    p.v[0] = 200
    assert.equal(frame.data[24 + 6], 200, 'the planes are views into frame.data')
    assert.deepEqual([...p.y], new Array(24).fill(16), 'black is Y=16')
    assert.throws(() => planes({ ...frame, data: frame.data.subarray(1) }))
  })

  test('BT.709 limited range: black, white and the primaries convert both ways', ({ assert }) => {
    assert.deepEqual(rgbToYuv(0, 0, 0), { y: 16, u: 128, v: 128 })
    assert.deepEqual(rgbToYuv(255, 255, 255), { y: 235, u: 128, v: 128 })
    assert.deepEqual(rgbToYuv(255, 0, 0), { y: 63, u: 102, v: 240 })
    for (const rgb of [
      [0, 0, 0],
      [255, 255, 255],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [120, 60, 200],
    ]) {
      const { y, u, v } = rgbToYuv(rgb[0], rgb[1], rgb[2])
      const back = yuvToRgb(y, u, v)
      back.forEach((value, channel) =>
        assert.approximately(value, rgb[channel], 3, `${rgb} → ${[y, u, v]} → ${back}`)
      )
    }
  })

  test('paint fills a rectangle and toRgb crops, scales and converts it', ({ assert }) => {
    const frame = blankFrame(64, 48)
    const red = rgbToYuv(255, 0, 0)
    paint(frame, red, { x: 16, y: 8, width: 32, height: 16 })
    const p = planes(frame)
    assert.equal(p.y[8 * 64 + 16], red.y)
    assert.equal(p.y[7 * 64 + 16], 16, 'luma outside the rectangle is untouched')
    assert.equal(p.u[4 * 32 + 8], red.u)
    assert.equal(p.u[3 * 32 + 8], 128)

    const whole = toRgb(frame)
    assert.equal(whole.length, 64 * 48 * 3)
    const at = (x: number, y: number) => [...whole.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)]
    assert.deepEqual(at(0, 0), [0, 0, 0])
    at(20, 10).forEach((value, channel) => assert.approximately(value, [255, 0, 0][channel], 3))

    for (const sampling of ['nearest', 'bilinear'] as const) {
      const inside = toRgb(
        frame,
        { x: 18, y: 10, width: 28, height: 12 },
        { width: 7, height: 3 },
        { sampling }
      )
      assert.equal(inside.length, 7 * 3 * 3)
      assertColour(assert, inside, [255, 0, 0], 3, `${sampling} inside`)
      const outside = toRgb(
        frame,
        { x: 0, y: 28, width: 64, height: 20 },
        { width: 8, height: 2 },
        { sampling }
      )
      assertColour(assert, outside, [0, 0, 0], 3, `${sampling} outside`)
    }
    // A crop over the edge is clipped to the frame.
    assert.equal(toRgb(frame, { x: 60, y: 40, width: 100, height: 100 }).length, 4 * 8 * 3)
  })

  test('bilinear toRgb interpolates each plane between its four nearest samples, edges clamped', ({
    assert,
  }) => {
    // Random planes, so any wrong neighbour or weight shows: checked against a plain per-pixel bilinear.
    let seed = 11
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    const frame = blankFrame(37, 23)
    for (let i = 0; i < frame.data.length; i++) frame.data[i] = Math.floor(random() * 256)
    const p = planes(frame)
    const at = (plane: Buffer, width: number, height: number, x: number, y: number) => {
      const cx = Math.min(Math.max(x, 0), width - 1)
      const cy = Math.min(Math.max(y, 0), height - 1)
      const [x0, y0] = [Math.floor(cx), Math.floor(cy)]
      const [x1, y1] = [Math.min(x0 + 1, width - 1), Math.min(y0 + 1, height - 1)]
      const [fx, fy] = [cx - x0, cy - y0]
      const top = plane[y0 * width + x0] * (1 - fx) + plane[y0 * width + x1] * fx
      const bottom = plane[y1 * width + x0] * (1 - fx) + plane[y1 * width + x1] * fx
      return top * (1 - fy) + bottom * fy
    }
    // Enlarged, shrunk, and one crop across the corner (clipped to the frame).
    for (const [crop, size] of [
      [
        { x: 3, y: 2, width: 11, height: 7 },
        { width: 29, height: 16 },
      ],
      [
        { x: 0, y: 0, width: 37, height: 23 },
        { width: 9, height: 5 },
      ],
      [
        { x: 30, y: 17, width: 20, height: 20 },
        { width: 13, height: 11 },
      ],
    ] as const) {
      const rgb = toRgb(frame, crop, size, { sampling: 'bilinear' })
      const area = {
        x: crop.x,
        y: crop.y,
        width: Math.min(crop.width, 37 - crop.x),
        height: Math.min(crop.height, 23 - crop.y),
      }
      for (let oy = 0; oy < size.height; oy++) {
        for (let ox = 0; ox < size.width; ox++) {
          const sx = area.x + ((ox + 0.5) * area.width) / size.width
          const sy = area.y + ((oy + 0.5) * area.height) / size.height
          const expected = yuvToRgb(
            at(p.y, 37, 23, sx - 0.5, sy - 0.5),
            at(p.u, 19, 12, sx / 2 - 0.5, sy / 2 - 0.5),
            at(p.v, 19, 12, sx / 2 - 0.5, sy / 2 - 0.5)
          )
          const o = (oy * size.width + ox) * 3
          assert.deepEqual(
            [rgb[o], rgb[o + 1], rgb[o + 2]],
            expected,
            `${JSON.stringify(crop)} at (${ox}, ${oy})`
          )
        }
      }
    }
  })

  test('a decoded solid red and blue clip reads back as red and blue through toRgb', async ({
    assert,
  }) => {
    // Red left half, blue right half, encoded the way a phone or camera would (BT.709 H.264).
    const clip = await ffmpegMake(join(work, 'red-blue.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=320x240:d=1:r=30,format=rgb24',
      '-vf',
      'drawbox=x=160:y=0:w=160:h=240:color=blue:t=fill,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-colorspace',
      'bt709',
      '-color_primaries',
      'bt709',
      '-color_trc',
      'bt709',
      '-color_range',
      'tv',
    ])
    const reader = new FrameReader(clip, { width: 320, height: 240, fps: 30 }, { sourceFps: 30 })
    let frame: Frame | undefined
    for await (const decoded of reader) {
      frame = decoded
      break
    }
    assert.exists(frame)
    assert.equal(frame!.format, 'yuv420p')
    assert.equal(frame!.data.length, (320 * 240 * 3) / 2)
    const tolerance = 24
    assertColour(
      assert,
      toRgb(frame!, { x: 16, y: 16, width: 128, height: 208 }, { width: 16, height: 16 }),
      [255, 0, 0],
      tolerance,
      'left (nearest)'
    )
    assertColour(
      assert,
      toRgb(
        frame!,
        { x: 176, y: 16, width: 128, height: 208 },
        { width: 16, height: 16 },
        { sampling: 'bilinear' }
      ),
      [0, 0, 255],
      tolerance,
      'right (bilinear)'
    )
    const whole = toRgb(frame!)
    assert.equal(whole.length, 320 * 240 * 3)
    assertColour(
      assert,
      whole.subarray((120 * 320 + 80) * 3, (120 * 320 + 81) * 3),
      [255, 0, 0],
      tolerance,
      'centre left'
    )
  })

  test('an untagged SD source (BT.601 by convention) is converted to BT.709; tagged BT.709 and HD are left as they are', async ({
    assert,
  }) => {
    assert.equal(colourOptions({ colorSpace: 'bt709', width: 640, height: 480 }), ':out_range=tv')
    assert.equal(colourOptions({ colorSpace: null, width: 1920, height: 1080 }), ':out_range=tv')
    assert.equal(colourOptions({ colorSpace: null, width: 1080, height: 1920 }), ':out_range=tv')
    const toBt709 = ':in_color_matrix=bt601:out_color_matrix=bt709:out_range=tv'
    assert.equal(colourOptions({ colorSpace: null, width: 640, height: 480 }), toBt709)
    assert.equal(colourOptions({ colorSpace: 'smpte170m', width: 1920, height: 1080 }), toBt709)
    assert.equal(
      colourOptions({ colorSpace: 'bt2020nc', width: 3840, height: 2160 }),
      ':out_color_matrix=bt709:out_range=tv'
    )

    // Pure green, written by ffmpeg the way an SD camera does: BT.601 matrix, no colour tags.
    // Green is where the two matrices differ most.
    const clip = await ffmpegMake(join(work, 'green-sd.mp4'), [
      '-f',
      'lavfi',
      '-i',
      'color=c=0x00FF00:s=320x240:d=1:r=30,format=rgb24',
      '-vf',
      'scale=out_color_matrix=bt601:out_range=tv,format=yuv420p',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
    ])
    const firstFrame = async (colour?: SourceColour) => {
      for await (const frame of new FrameReader(
        clip,
        { width: 320, height: 240, fps: 30 },
        { sourceFps: 30, colour }
      ))
        return frame
      throw new Error('no frame decoded')
    }
    const region = { x: 40, y: 40, width: 240, height: 160 }
    const sample = { width: 8, height: 8 }
    const converted = await firstFrame({ colorSpace: null, width: 320, height: 240 })
    assertColour(
      assert,
      toRgb(converted, region, sample),
      [0, 255, 0],
      6,
      'SD source converted to BT.709'
    )
    // Read as if it were BT.709 (what the output is tagged), the unconverted frame is off green:
    // the conversion above is what makes colours right.
    const asIs = toRgb(
      await firstFrame({ colorSpace: 'bt709', width: 320, height: 240 }),
      region,
      sample
    )
    const worst = Math.max(...[...asIs].map((value, i) => Math.abs(value - [0, 255, 0][i % 3])))
    assert.isAbove(worst, 20, `an unconverted BT.601 green reads as ${[...asIs.subarray(0, 3)]}`)
  })
})
