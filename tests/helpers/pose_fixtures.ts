import type { Keypoint } from '#workers/pipeline/types'

/** A frontal face 50 px wide around the nose at (200, 110): eyes at y 100, mouth at y 120, ears 38 apart. */
export const FRONTAL_FACE: Record<number, [number, number]> = {
  0: [200, 110],
  1: [195, 100],
  2: [190, 100],
  3: [186, 100],
  4: [205, 100],
  5: [210, 100],
  6: [214, 100],
  7: [181, 104],
  8: [219, 104],
  9: [194, 120],
  10: [206, 120],
}

/** The frontal face above shoulders 100 px apart. */
export const HEAD_AND_SHOULDERS: Record<number, [number, number]> = {
  ...FRONTAL_FACE,
  11: [250, 160],
  12: [150, 160],
}

/** 33 keypoints: the given ones seen (visibility 0.9), every other one unseen at the nose. */
export function poseWith(points: Record<number, [number, number]>, visibility = 0.9): Keypoint[] {
  const pose: Keypoint[] = Array.from({ length: 33 }, () => [200, 110, 0])
  for (const [index, [x, y]] of Object.entries(points)) pose[Number(index)] = [x, y, visibility]
  return pose
}

/** The given keypoints turned `degrees` about the nose at (200, 110), as a body lying or upside down. */
export function turnedPose(
  degrees: number,
  points: Record<number, [number, number]> = HEAD_AND_SHOULDERS
): Keypoint[] {
  const radians = (degrees * Math.PI) / 180
  const turned = Object.fromEntries(
    Object.entries(points).map(([index, [x, y]]): [string, [number, number]] => {
      const [dx, dy] = [x - 200, y - 110]
      return [
        index,
        [
          200 + dx * Math.cos(radians) - dy * Math.sin(radians),
          110 + dx * Math.sin(radians) + dy * Math.cos(radians),
        ],
      ]
    })
  )
  return poseWith(turned)
}
