/*
 * The demo's clips: one of each state a creator, a reviewer and a buyer meet. Outside
 * database/seeders, which Lucid runs file by file.
 */
import type { ClipStatus, SkillLevel } from '#models/clip'

export interface DemoClip {
  owner: 'maria' | 'jordan' | 'minjun'
  /** Which of the owner's grants covers it. */
  grant: 'main' | 'minor'
  title: string
  sport: string
  activity: string
  skillLevel: SkillLevel
  cameraAngle: string
  venueType: string
  durationMs: number
  status: ClipStatus
  statusReason?: string
  failedStep?: string
  progress?: number
}

export const CLIPS: DemoClip[] = [
  {
    owner: 'maria',
    grant: 'main',
    title: 'Penalty kick, right foot',
    sport: 'football',
    activity: 'penalty kick',
    skillLevel: 'advanced',
    cameraAngle: 'side',
    venueType: 'outdoor',
    durationMs: 12_400,
    status: 'approved',
  },
  {
    owner: 'maria',
    grant: 'main',
    title: 'Dribbling through cones',
    sport: 'football',
    activity: 'dribbling drill',
    skillLevel: 'intermediate',
    cameraAngle: 'front',
    venueType: 'outdoor',
    durationMs: 18_200,
    status: 'approved',
  },
  {
    owner: 'maria',
    grant: 'main',
    title: 'Goalkeeper low dive',
    sport: 'football',
    activity: 'goalkeeper dive',
    skillLevel: 'elite',
    cameraAngle: 'behind',
    venueType: 'stadium',
    durationMs: 9_600,
    status: 'approved',
  },
  {
    owner: 'maria',
    grant: 'main',
    title: 'Corner kick delivery',
    sport: 'football',
    activity: 'corner kick',
    skillLevel: 'advanced',
    cameraAngle: 'side',
    venueType: 'stadium',
    durationMs: 15_000,
    status: 'rejected',
    statusReason:
      'A spectator’s face is visible in the anonymized video at 0:07. Please trim the clip and upload it again.',
  },
  {
    owner: 'maria',
    grant: 'main',
    title: 'Heading practice',
    sport: 'football',
    activity: 'header',
    skillLevel: 'beginner',
    cameraAngle: 'front',
    venueType: 'indoor',
    durationMs: 21_000,
    status: 'processing',
    progress: 45,
  },
  {
    owner: 'jordan',
    grant: 'main',
    title: '100 m block start',
    sport: 'athletics',
    activity: 'sprint start',
    skillLevel: 'elite',
    cameraAngle: 'side',
    venueType: 'stadium',
    durationMs: 8_100,
    status: 'approved',
  },
  {
    owner: 'jordan',
    grant: 'main',
    title: 'Long jump approach and take-off',
    sport: 'athletics',
    activity: 'long jump',
    skillLevel: 'advanced',
    cameraAngle: 'side',
    venueType: 'outdoor',
    durationMs: 14_700,
    status: 'approved',
  },
  {
    owner: 'jordan',
    grant: 'main',
    title: 'High jump, Fosbury flop',
    sport: 'athletics',
    activity: 'high jump',
    skillLevel: 'advanced',
    cameraAngle: 'behind',
    venueType: 'indoor',
    durationMs: 11_300,
    status: 'processed',
  },
  {
    owner: 'jordan',
    grant: 'main',
    title: 'Hurdles drill',
    sport: 'athletics',
    activity: 'hurdles',
    skillLevel: 'intermediate',
    cameraAngle: 'front',
    venueType: 'outdoor',
    durationMs: 0,
    status: 'failed',
    failedStep: 'probe',
    statusReason: 'The file has no video stream (it contains audio only).',
  },
  {
    owner: 'minjun',
    grant: 'main',
    title: 'Free throw routine',
    sport: 'basketball',
    activity: 'free throw',
    skillLevel: 'professional',
    cameraAngle: 'front',
    venueType: 'indoor',
    durationMs: 10_500,
    status: 'approved',
  },
  {
    owner: 'minjun',
    grant: 'minor',
    title: 'Crossover dribble, under-14 training',
    sport: 'basketball',
    activity: 'crossover dribble',
    skillLevel: 'intermediate',
    cameraAngle: 'side',
    venueType: 'indoor',
    durationMs: 16_000,
    status: 'approved',
  },
  {
    owner: 'minjun',
    grant: 'main',
    title: 'Layup from the left',
    sport: 'basketball',
    activity: 'layup',
    skillLevel: 'beginner',
    cameraAngle: 'behind',
    venueType: 'indoor',
    durationMs: 7_800,
    status: 'uploaded',
  },
]

/**
 * Which clips get the media folder's videos, in order: the two datasets' covers first (the
 * catalog cards), then their other clips, then the clip awaiting review (the moderation queue),
 * a creator's clip outside any dataset and a rejected one. A clip gets a video of its own or
 * none: extra videos are left unused, and no video is stored twice under two clips.
 */
export const MEDIA_ORDER = [
  'Penalty kick, right foot',
  'Dribbling through cones',
  '100 m block start',
  'Goalkeeper low dive',
  'Long jump approach and take-off',
  'Free throw routine',
  'High jump, Fosbury flop',
  'Crossover dribble, under-14 training',
  'Corner kick delivery',
]
