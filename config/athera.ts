import env from '#start/env'
import app from '@adonisjs/core/services/app'
import {
  DEFAULT_VISION_SETTINGS,
  laneByDefault,
  resolveVisionSettings,
} from '#workers/vision/settings'

/**
 * Process-level settings of the appliance. Instance settings an admin can change at run
 * time (commission, currency, sports…) live in the `settings` table instead.
 */
const atheraConfig = {
  /** What this process runs: the HTTP server, the job worker, or both (default). */
  roles: env.get('ATHERA_ROLES'),

  queue: {
    /** Jobs processed at once by this process's worker. */
    concurrency: env.get('QUEUE_CONCURRENCY'),
    /** Prefix of every BullMQ key, so one Redis can serve several instances. */
    prefix: 'athera',
    /**
     * A job's lock lives this long without renewal; the worker renews it every half. Processing
     * keeps the event loop free, so renewals are on time; a crashed worker's job is taken over
     * once the lock expires and a stalled check (every stalledIntervalMs) notices.
     */
    lockDurationMs: env.get('QUEUE_LOCK_DURATION_MS') ?? 120_000,
    stalledIntervalMs: env.get('QUEUE_STALLED_INTERVAL_MS') ?? 30_000,
    /**
     * On SIGTERM, running jobs get this long to finish, then are stopped and handed back to the
     * queue: well inside compose's stop_grace_period (2 min), so the process exits 0 before a SIGKILL.
     */
    drainMs: env.get('QUEUE_DRAIN_MS') ?? 30_000,
  },

  storage: {
    endPoint: env.get('S3_ENDPOINT'),
    port: env.get('S3_PORT'),
    useSSL: env.get('S3_USE_SSL'),
    accessKey: env.get('S3_ACCESS_KEY'),
    secretKey: env.get('S3_SECRET_KEY').release(),
    region: env.get('S3_REGION'),
    /** Base URL browsers use to reach S3 when it differs from the internal endpoint. */
    publicUrl: env.get('S3_PUBLIC_URL'),
    serverSideEncryption: env.get('S3_SERVER_SIDE_ENCRYPTION') ?? false,
    bucketPrefix: env.get('S3_BUCKET_PREFIX') ?? '',
    /** Default lifetime of a presigned URL, in seconds. */
    presignTtlSeconds: 300,
  },

  /** What the pipeline makes of every clip (docs/architecture.md, "The pipeline"). */
  pipeline: {
    fps: env.get('PIPELINE_FPS') ?? 30,
    width: env.get('PIPELINE_WIDTH') ?? 1280,
    height: env.get('PIPELINE_HEIGHT') ?? 720,
    keepAudio: env.get('PIPELINE_KEEP_AUDIO') ?? false,
    /** A keyframe every 2 s at 30 fps: seekable previews and clean cuts for datasets. */
    gop: 60,
    previewSeconds: 10,
    previewHeight: 480,
    /** Per-clip work folders; a failed clip's folder is kept so a retry resumes its steps. */
    workDir: env.get('PIPELINE_WORK_DIR') ?? app.tmpPath('processing'),
    /** Wall-clock limit of one run: `factor` × the clip's declared length, at least `minSeconds`. */
    timeLimit: {
      factor: env.get('PIPELINE_TIME_LIMIT_FACTOR'),
      minSeconds: env.get('PIPELINE_TIME_LIMIT_MIN_SECONDS'),
    },
  },

  /** Anonymization and pose models (docs/architecture.md, "The pipeline"; workers/vision/settings.ts). */
  vision: resolveVisionSettings({
    cacheDir: env.get('MODEL_CACHE_DIR') ?? app.makePath('models'),
    provider: env.get('VISION_PROVIDER'),
    threads: env.get('VISION_THREADS'),
    lane: env.get('VISION_LANE') ?? laneByDefault(env.get('ATHERA_ROLES')),
    faces: {
      threshold: env.get('ANONYMIZE_FACE_THRESHOLD'),
      tiles: env.get('ANONYMIZE_FACE_TILES'),
      ssdEvery: env.get('ANONYMIZE_FACE_SSD_EVERY'),
    },
    text: { mode: env.get('ANONYMIZE_TEXT') },
    margin: env.get('ANONYMIZE_MARGIN'),
    blur: env.get('ANONYMIZE_BLUR'),
    pose: {
      model: env.get('POSE_MODEL'),
      invertedSports: invertedSports(env.get('POSE_INVERTED_SPORTS')),
    },
    detectEvery: env.get('VISION_DETECT_EVERY'),
  }),

  media: {
    ffmpegPath: env.get('FFMPEG_PATH') ?? 'ffmpeg',
    ffprobePath: env.get('FFPROBE_PATH') ?? 'ffprobe',
  },

  uploads: {
    /**
     * Where uploads in progress are staged until they are complete and checked. Must hold
     * the largest upload times the uploads in flight; compose mounts a volume here.
     */
    stagingDir: env.get('UPLOAD_STAGING_DIR') ?? app.tmpPath('uploads'),
  },

  mail: {
    enabled: Boolean(env.get('SMTP_HOST')),
  },
}

export default atheraConfig

/**
 * POSE_INVERTED_SPORTS: comma-separated sport words replacing the built-in list, or `none` (only
 * people pose sees upside down then start the search, not the clip's sport).
 */
function invertedSports(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === '') return DEFAULT_VISION_SETTINGS.pose.invertedSports
  if (value.trim().toLowerCase() === 'none') return []
  return value
    .split(',')
    .map((sport) => sport.trim())
    .filter(Boolean)
}
