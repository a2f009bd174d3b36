import { inject } from '@adonisjs/core'
import Clip from '#models/clip'
import type User from '#models/user'
import { CLIP_STATUS_LABELS } from '#app/clips/public'
import { ConnectService, EarningsService } from '#app/commerce/public'
import { DashboardService } from '#app/dashboards/dashboard_service'

/** How many of the newest clips the dashboard lists (the rest are on /clips). */
export const RECENT_CLIPS = 6

/**
 * The creator's console in one read: the clip and consent counts every dashboard opens with,
 * earnings from the ledger, Stripe Connect onboarding and the newest clips with their status
 * and the consent record each was uploaded under.
 */
@inject()
export class CreatorDashboardService {
  constructor(
    protected dashboards: DashboardService,
    protected earnings: EarningsService,
    protected connect: ConnectService
  ) {}

  async forCreator(creator: User) {
    const clips = await Clip.query()
      .where('user_id', creator.id)
      .select(
        'id',
        'title',
        'sport',
        'status',
        'status_reason',
        'consent_record_id',
        'withdrawn_at',
        'created_at'
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(RECENT_CLIPS)
    return {
      summary: await this.dashboards.creator(creator),
      earnings: await this.earnings.summary(creator),
      connect: this.connect.card(creator),
      recentClips: clips.map((clip) => ({ clip, statusLabel: CLIP_STATUS_LABELS[clip.status] })),
    }
  }
}
