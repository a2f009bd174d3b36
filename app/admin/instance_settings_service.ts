import { randomUUID } from 'node:crypto'
import { open } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { MultipartFile } from '@adonisjs/core/bodyparser'
import type User from '#models/user'
import { AuditTrail } from '#app/core/audit_trail'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  type InstanceLogo,
  type Settings,
  SETTING_DEFAULTS,
  SettingsStore,
} from '#app/core/settings_store'
import { StorageService } from '#app/core/storage_service'
import { sniffImage, splitSports } from '#app/admin/settings_fields'

/** The settings form's fields, as the validator returns them. */
export interface SettingsInput {
  instanceName: string
  logo?: MultipartFile
  removeLogo?: boolean
  commissionPercent: number
  currency: string
  priceMin: number
  priceMax: number
  sports: string
  registration: 'open' | 'invite'
  rawRetentionDays: number
  withdrawalAckDays: number
}

/** The keys the admin's settings form edits. */
export const EDITABLE_KEYS = [
  'instance_name',
  'instance_logo',
  'commission_bps',
  'currency',
  'price_min_cents',
  'price_max_cents',
  'sports',
  'registration',
  'raw_retention_days',
  'withdrawal_ack_days',
] as const satisfies readonly (keyof Settings)[]

export type SaveResult =
  | { ok: true; changed: string[] }
  | { ok: false; code: 'E_LOGO_UNREADABLE' }
  | { ok: false; code: 'E_LOGO_STORAGE' }

const SETTINGS_LOCK = 'athera:settings'

export function logoKey(id: string) {
  return `instance/logo/${id}`
}

/** Amounts in hundredths, exactly: 17.5 → 1750 (never a float in storage). */
const hundredths = (value: number) => Math.round(value * 100)

/**
 * The admin's instance settings: what the form shows, and saving it. Every changed key is
 * written and audited (`setting.changed` with from and to) in one transaction; the logo is an
 * object in the previews bucket under an id-based key, replaced by a new id on each upload so
 * it can be cached for good.
 */
@inject()
export class InstanceSettingsService {
  #audit = new AuditTrail()

  constructor(
    protected settings: SettingsStore,
    protected storage: StorageService
  ) {}

  /** The form's values from the stored settings. */
  async form() {
    const settings = await this.settings.all()
    return {
      instanceName: settings.instance_name,
      logo: settings.instance_logo,
      commissionPercent: (settings.commission_bps / 100).toString(),
      currency: settings.currency,
      priceMin: (settings.price_min_cents / 100).toFixed(2),
      priceMax: (settings.price_max_cents / 100).toFixed(2),
      sports: settings.sports.join(', '),
      registration: settings.registration,
      rawRetentionDays: String(settings.raw_retention_days),
      withdrawalAckDays: String(settings.withdrawal_ack_days),
    }
  }

  async save(admin: User, input: SettingsInput, ip: string | null): Promise<SaveResult> {
    const next: Partial<Settings> = {
      instance_name: input.instanceName,
      commission_bps: hundredths(input.commissionPercent),
      currency: input.currency,
      price_min_cents: hundredths(input.priceMin),
      price_max_cents: hundredths(input.priceMax),
      sports: splitSports(input.sports),
      registration: input.registration,
      raw_retention_days: input.rawRetentionDays,
      withdrawal_ack_days: input.withdrawalAckDays,
    }

    let uploaded: InstanceLogo | null = null
    if (input.logo?.tmpPath) {
      const contentType = await sniffFile(input.logo.tmpPath)
      if (!contentType) return { ok: false, code: 'E_LOGO_UNREADABLE' }
      uploaded = { id: randomUUID(), contentType, bytes: input.logo.size }
      try {
        await this.storage.putFile(
          'previews',
          logoKey(uploaded.id),
          input.logo.tmpPath,
          contentType
        )
      } catch (error) {
        logger.error({ err: error, logoId: uploaded.id }, 'instance logo could not be stored')
        return { ok: false, code: 'E_LOGO_STORAGE' }
      }
      next.instance_logo = uploaded
    } else if (input.removeLogo) {
      next.instance_logo = null
    }

    let changes: (typeof EDITABLE_KEYS)[number][] = []
    let previousLogo: InstanceLogo | null = null
    try {
      await db.transaction(async (trx) => {
        // Two admins saving at once: each diff (and each audited "from") is against the
        // other's committed values, never against a stale read.
        await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [SETTINGS_LOCK])
        const current = await this.#current(trx)
        previousLogo = current.instance_logo
        changes = EDITABLE_KEYS.filter((key) => key in next && !same(current[key], next[key]))
        const values = Object.fromEntries(
          changes.map((key) => [key, next[key]])
        ) as Partial<Settings>
        await this.settings.setMany(values, admin.id, trx)
        for (const key of changes) {
          await this.#audit.record(
            {
              actorId: admin.id,
              action: 'setting.changed',
              subject: { type: 'setting', id: key },
              meta: { key, from: current[key], to: next[key] },
              ip,
            },
            trx
          )
        }
      })
    } catch (error) {
      if (uploaded) await this.#removeLogo(uploaded)
      throw error
    }
    SettingsStore.clearCache()
    // Assigned inside the transaction's callback, which control-flow analysis does not follow.
    const replaced = previousLogo as InstanceLogo | null
    if (changes.includes('instance_logo') && replaced) await this.#removeLogo(replaced)
    return { ok: true, changed: changes }
  }

  /** The current logo's object, when `id` names it (an old id is gone: 404). */
  async logo(id: string) {
    const logo = await this.settings.get('instance_logo')
    if (!logo || logo.id !== id) return null
    try {
      return { logo, stream: await this.storage.getStream('previews', logoKey(logo.id)) }
    } catch (error) {
      // Missing or unreachable: the navigation shows a broken image, not an error page.
      logger.warn({ err: error, logoId: logo.id }, 'instance logo could not be read')
      return null
    }
  }

  /** The stored values as this transaction sees them, over the defaults (no cache). */
  async #current(trx: TransactionClientContract): Promise<Settings> {
    const rows: { key: string; value: unknown }[] = await trx
      .from('settings')
      .select('key', 'value')
    const values: Record<string, unknown> = { ...SETTING_DEFAULTS }
    for (const row of rows) if (row.key in values) values[row.key] = row.value
    return values as Settings
  }

  async #removeLogo(logo: InstanceLogo) {
    // A leftover object costs a few KB; failing the admin's save for it would cost more.
    await this.storage.remove('previews', logoKey(logo.id)).catch((error) => {
      logger.warn({ err: error, logoId: logo.id }, 'old instance logo could not be deleted')
    })
  }
}

function same(a: unknown, b: unknown) {
  return JSON.stringify(a) === JSON.stringify(b)
}

async function sniffFile(path: string) {
  const handle = await open(path, 'r')
  try {
    const head = new Uint8Array(12)
    await handle.read(head, 0, 12, 0)
    return sniffImage(head)
  } finally {
    await handle.close()
  }
}
