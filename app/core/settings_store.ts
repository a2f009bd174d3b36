import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** The instance's logo: an object in the previews bucket under `instance/logo/<id>`. */
export interface InstanceLogo {
  id: string
  contentType: 'image/png' | 'image/jpeg' | 'image/webp'
  bytes: number
}

/**
 * Instance settings an admin changes at run time, stored as rows of the `settings` table
 * (key → JSON value). Missing keys fall back to these defaults, so a fresh instance works
 * before anyone has saved a setting.
 */
export const SETTING_DEFAULTS = {
  instance_name: 'Athera',
  instance_tagline: 'Consented, anonymized sports video for AI — hosted by its athletes.',
  registration: 'open' as 'open' | 'invite',
  commission_bps: 2000,
  currency: 'USD',
  price_min_cents: 1000,
  price_max_cents: 10000,
  sports: [
    'football',
    'basketball',
    'athletics',
    'tennis',
    'volleyball',
    'rugby',
    'handball',
    'fitness',
  ],
  raw_retention_days: 0,
  withdrawal_retention_days: 0,
  /** Days a buyer has to confirm a withdrawal notice before admins see it flagged. */
  withdrawal_ack_days: 30,
  /** Largest single upload, in bytes (4 GB). */
  upload_max_bytes: 4 * 1024 ** 3,
  /** Storage one creator may use for originals, in bytes (50 GB). */
  creator_quota_bytes: 50 * 1024 ** 3,
  min_duration_seconds: 1,
  max_duration_seconds: 3 * 60 * 60,
  /** Smallest accepted shorter side (240p) and largest longer side (8K), in pixels. */
  min_short_side_px: 240,
  max_long_side_px: 7680,
  instance_logo: null as InstanceLogo | null,
}

export type Settings = typeof SETTING_DEFAULTS
export type SettingKey = keyof Settings

/** Settings change rarely and are read on every page: a short cache spares a query each time. */
const CACHE_TTL_MS = 5_000

export class SettingsStore {
  static #cache: { value: Settings; at: number } | null = null

  async all(): Promise<Settings> {
    const cached = SettingsStore.#cache
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.value

    const rows: { key: string; value: unknown }[] = await db.from('settings').select('key', 'value')
    const value = { ...SETTING_DEFAULTS }
    for (const row of rows) {
      if (row.key in value) (value as Record<string, unknown>)[row.key] = row.value
    }
    SettingsStore.#cache = { value, at: Date.now() }
    return value
  }

  async get<K extends SettingKey>(key: K): Promise<Settings[K]> {
    const settled = await this.all()
    return settled[key]
  }

  async set<K extends SettingKey>(key: K, value: Settings[K], updatedBy?: number) {
    await db
      .insertQuery()
      .table('settings')
      .insert({
        key,
        value: JSON.stringify(value),
        updated_at: new Date(),
        updated_by: updatedBy ?? null,
      })
      .knexQuery.onConflict('key')
      .merge()
    SettingsStore.#cache = null
  }

  /**
   * Writes several settings in the caller's transaction (an admin's form: all or nothing),
   * and forgets the cache so the next request reads the new values.
   */
  async setMany(
    values: Partial<Settings>,
    updatedBy: number | null,
    trx: TransactionClientContract
  ) {
    const rows = Object.entries(values).map(([key, value]) => ({
      key,
      value: JSON.stringify(value),
      updated_at: new Date(),
      updated_by: updatedBy,
    }))
    if (rows.length === 0) return
    await trx.insertQuery().table('settings').insert(rows).knexQuery.onConflict('key').merge()
    SettingsStore.#cache = null
    // A request between this write and the commit could cache the old values again.
    trx.after('commit', () => {
      SettingsStore.#cache = null
    })
  }

  /** Forget cached values (tests, and after an admin saves the settings form). */
  static clearCache() {
    SettingsStore.#cache = null
  }
}
