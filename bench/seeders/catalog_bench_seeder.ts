import { randomUUID, createHash } from 'node:crypto'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import { DateTime } from 'luxon'
import ClipAsset from '#models/clip_asset'
import { ClipFactory } from '#database/factories/clip_factory'
import { UserFactory } from '#database/factories/user_factory'
import { CATALOG_BENCH_DATABASE } from '../bench_env.js'

/*
 * Seeds a large catalog for bench/catalog.ts: CATALOG_BENCH_DATASETS published datasets
 * (default 10,000), written as one multi-row INSERT per batch of datasets and one of versions,
 * with their catalog columns filled as publishing fills them. Covers point at a pool of
 * approved clips with thumbnail and preview asset rows, so every card signs two URLs.
 * Only in the benchmark's own database (bench/catalog.ts creates it and runs
 * `node ace db:seed --connection bench --files bench/seeders/catalog_bench_seeder.ts`); it refuses
 * any other, so 10,000 fake datasets never land in a development or production catalog.
 */
const SPORTS: Record<string, string[]> = {
  football: ['penalty kick', 'dribbling drill', 'goalkeeper dive', 'corner kick', 'header'],
  basketball: ['free throw', 'layup', 'crossover dribble', 'jump shot', 'rebound'],
  athletics: ['sprint start', 'long jump', 'high jump', 'hurdles', 'javelin'],
  tennis: ['serve', 'forehand rally', 'backhand volley', 'smash', 'return'],
  volleyball: ['spike', 'serve receive', 'block', 'set', 'dig'],
  rugby: ['line-out', 'scrum', 'tackle', 'kick', 'pass'],
}
const ADJECTIVES = [
  'Elite',
  'Youth',
  'Club',
  'Academy',
  'Indoor',
  'Outdoor',
  'Match-day',
  'Training',
  'Slow-motion',
  'Multi-angle',
]
const SKILLS = ['beginner', 'intermediate', 'advanced', 'elite', 'professional']
const ANGLES = ['side', 'front', 'behind', 'overhead', 'broadcast']
const BATCH = 1000
const COVERS = 200

export default class CatalogBenchSeeder extends BaseSeeder {
  static environment = ['development', 'test']

  async run() {
    const { rows } = await this.client.rawQuery('SELECT current_database() AS name')
    if (rows[0].name !== CATALOG_BENCH_DATABASE) {
      throw new Error(
        `The catalog benchmark's seeder writes thousands of fake datasets, so it runs only in the benchmark's own database ` +
          `(${CATALOG_BENCH_DATABASE}), not in ${rows[0].name}. Run it through bench/catalog.ts.`
      )
    }
    const count = Number(process.env.CATALOG_BENCH_DATASETS ?? 10_000)
    const owner = await UserFactory.apply('creator')
      .merge({ email: 'bench-catalog@athera.test' })
      .create()
    const covers: string[] = []
    for (let index = 0; index < COVERS; index++) {
      const clip = await ClipFactory.apply('approved').merge({ userId: owner.id }).create()
      for (const kind of ['thumbnail', 'preview'] as const) {
        await ClipAsset.create({
          clipId: clip.id,
          kind,
          bucket: 'previews',
          key: `clips/${clip.id}/${kind === 'thumbnail' ? 'thumbnail.jpg' : 'preview.mp4'}`,
          bytes: 40_000,
          sha256: createHash('sha256').update(`${clip.id}${kind}`).digest('hex'),
          contentType: kind === 'thumbnail' ? 'image/jpeg' : 'video/mp4',
        })
      }
      covers.push(clip.id)
    }

    const sports = Object.keys(SPORTS)
    const start = DateTime.now().minus({ days: 400 })
    for (let offset = 0; offset < count; offset += BATCH) {
      const datasets: Record<string, unknown>[] = []
      const versions: Record<string, unknown>[] = []
      for (let index = offset; index < Math.min(count, offset + BATCH); index++) {
        const sport = sports[index % sports.length]
        const activities = [SPORTS[sport][index % 5], SPORTS[sport][(index * 7 + 3) % 5]]
          .filter((value, at, all) => all.indexOf(value) === at)
          .sort()
        const clips = 1 + ((index * 13) % 60)
        const durationMs = clips * (6_000 + ((index * 37) % 30) * 1_000)
        const priceCents = index % 5 === 0 ? 0 : 1000 + ((index * 97) % 91) * 100
        const licence = index % 7 < 3 ? 'commercial' : 'research'
        const title = `${ADJECTIVES[index % ADJECTIVES.length]} ${sport} ${activities[0]} set ${index + 1}`
        const datasetId = randomUUID()
        const versionId = randomUUID()
        const manifest = JSON.stringify({ format: 1, clips: [] })
        const publishedAt = start.plus({ minutes: index * 57 }).toJSDate()
        versions.push({
          id: versionId,
          dataset_id: datasetId,
          version: 1,
          manifest,
          manifest_sha256: createHash('sha256').update(manifest).digest('hex'),
          stats: JSON.stringify({
            clips,
            duration_ms: durationMs,
            people: clips,
            keypoint_frames: Math.round(durationMs * 0.03),
          }),
          price_cents: priceCents,
          currency: 'USD',
          licence_type: licence,
          published_at: publishedAt,
        })
        datasets.push({
          id: datasetId,
          owner_id: owner.id,
          title,
          slug: `bench-${index + 1}-${datasetId.slice(0, 8)}`,
          description: `${clips} anonymized clips of ${activities.join(' and ')} in ${sport}, with 33-point pose keypoints for every frame.`,
          sport,
          tags: `{${[sport, ...activities].map((tag) => `"${tag}"`).join(',')}}`,
          licence_type: licence,
          price_cents: priceCents,
          currency: 'USD',
          status: 'published',
          published_at: publishedAt,
          listed_price_cents: priceCents,
          listed_licence_type: licence,
          clip_count: clips,
          duration_ms: durationMs,
          cover_clip_id: covers[index % covers.length],
          sports: `{${sport}}`,
          activities: `{${activities.map((value) => `"${value}"`).join(',')}}`,
          skill_levels: `{${SKILLS[index % SKILLS.length]}}`,
          camera_angles: `{${ANGLES[(index * 3) % ANGLES.length]}}`,
        })
      }
      // Datasets first (versions point at them), then versions, then the link back.
      await this.client.table('datasets').multiInsert(datasets)
      await this.client.table('dataset_versions').multiInsert(versions)
      await this.client.rawQuery(
        `UPDATE datasets d SET latest_version_id = v.id FROM dataset_versions v WHERE v.dataset_id = d.id AND d.latest_version_id IS NULL`
      )
    }
    await this.client.rawQuery('ANALYZE datasets')
  }
}
