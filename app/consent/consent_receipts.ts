import { inject } from '@adonisjs/core'
import ConsentRecord from '#models/consent_record'
import type User from '#models/user'
import { consentErrors } from '#app/consent/errors'

/** A creator's consent records and what each one proves (the receipt), as plain data. */
@inject()
export class ConsentReceipts {
  /** The creator's consent records, newest first, with the clips each names. */
  recordsOf(user: User) {
    return ConsentRecord.query()
      .where('user_id', user.id)
      .preload('clips', (query) => query.select('id', 'title', 'status'))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
  }

  /** A record the viewer may read: their own, or any for an admin. Others' read as not found. */
  async readableRecord(viewer: User, recordId: number) {
    const record = Number.isSafeInteger(recordId) ? await ConsentRecord.find(recordId) : null
    if (!record || (viewer.role !== 'admin' && record.userId !== viewer.id)) {
      throw consentErrors.raise('E_NOT_FOUND', { what: 'record' })
    }
    return record
  }

  /** Everything a consent record proves, as plain data (the printable page and the JSON). */
  async receipt(record: ConsentRecord) {
    await record.load('user')
    await record.load('clips', (query) => query.orderBy('created_at', 'asc'))
    if (record.consentTextId) await record.load('consentText')

    const withdrawals =
      record.kind === 'grant'
        ? await ConsentRecord.query()
            .where('withdraws_record_id', record.id)
            .preload('clips', (query) => query.select('id'))
            .orderBy('created_at', 'asc')
        : []
    // A withdrawal that includes processing ends the whole grant for the clip; one of
    // `licensing` alone ends its licensing only (the clip stays processed).
    const withdrawalOf = new Map<string, ConsentRecord>()
    const licensingWithdrawalOf = new Map<string, ConsentRecord>()
    for (const withdrawal of withdrawals) {
      const whole = withdrawal.scopes.includes('processing')
      for (const clip of withdrawal.clips)
        (whole ? withdrawalOf : licensingWithdrawalOf).set(clip.id, withdrawal)
    }

    const clips = record.clips.map((clip) => {
      const withdrawal = withdrawalOf.get(clip.id)
      const licensing = licensingWithdrawalOf.get(clip.id)
      return {
        id: clip.id,
        title: clip.title,
        withdrawn: Boolean(withdrawal),
        withdrawnAt: withdrawal?.createdAt.toISO() ?? null,
        withdrawalRecordId: withdrawal?.id ?? null,
        ...(licensing
          ? {
              licensingWithdrawnAt: licensing.createdAt.toISO(),
              licensingWithdrawalRecordId: licensing.id,
            }
          : {}),
      }
    })

    return {
      recordId: record.id,
      kind: record.kind,
      givenAt: record.createdAt.toISO(),
      who: { userId: record.user.id, name: record.user.fullName, email: record.user.email },
      text: record.consentText
        ? {
            id: record.consentText.id,
            version: record.textVersion,
            sha256: record.textSha256,
            title: record.consentText.title,
          }
        : null,
      withdrawsRecordId: record.withdrawsRecordId,
      clips,
      scopes: record.scopes,
      usage: record.usage,
      subject: record.subject,
      athleteCount: record.athleteCount,
      guardian: record.guardianName
        ? { name: record.guardianName, relationship: record.guardianRelationship }
        : null,
      signature: record.signature,
      ip: record.ip,
      userAgent: record.userAgent,
      // A grant is withdrawn once every clip it covers is; each clip says which record did it.
      withdrawn:
        record.kind === 'grant' && clips.length > 0 && clips.every((clip) => clip.withdrawn),
      withdrawals: withdrawals.map((withdrawal) => ({
        recordId: withdrawal.id,
        at: withdrawal.createdAt.toISO(),
        scopes: withdrawal.scopes,
        clipIds: withdrawal.clips.map((clip) => clip.id),
      })),
    }
  }
}

export type ConsentReceipt = Awaited<ReturnType<ConsentReceipts['receipt']>>
