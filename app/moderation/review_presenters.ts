import type { ClipRiskReason } from '#models/clip'
import type Clip from '#models/clip'
import type ConsentRecord from '#models/consent_record'

// How the queue's rows and the review page word a clip's risk score and its consent.

/** A clip's risk score as the queue and the review page show it. */
export interface RiskSummary {
  /** Null: processed before the score existed ("not scored"). */
  score: number | null
  level: 'high' | 'medium' | 'low' | null
  reasons: ClipRiskReason[]
}

/** Scores from these up read as high or medium risk: a reason at its cap and more, or one at half. */
const HIGH_RISK = 50
const MEDIUM_RISK = 20

export function riskSummary(clip: Clip): RiskSummary {
  const score = clip.riskScore
  const level =
    score === null ? null : score >= HIGH_RISK ? 'high' : score >= MEDIUM_RISK ? 'medium' : 'low'
  return {
    score: score === null ? null : Math.round(score),
    level,
    reasons: clip.riskReasons ?? [],
  }
}

const SCOPE_LABELS: Record<string, string> = { processing: 'processing', licensing: 'licensing' }
const USAGE_LABELS: Record<ConsentRecord['usage'], string> = {
  research: 'research',
  commercial: 'commercial',
  research_and_commercial: 'research and commercial',
}
const SUBJECT_LABELS: Record<ConsentRecord['subject'], string> = {
  self: 'the creator',
  coached_athletes: 'coached athletes',
  minor: 'a minor',
}

/** "processing, licensing · research and commercial · the creator", plus the guardian for a minor. */
export function consentSummary(record: ConsentRecord) {
  if (record.kind === 'withdrawal') return 'withdrawal'
  const subject =
    record.subject === 'minor'
      ? `a minor, guardian ${record.guardianName ?? 'unnamed'}${record.guardianRelationship ? ` (${record.guardianRelationship})` : ''}`
      : record.subject === 'coached_athletes'
        ? `${record.athleteCount} coached athlete${record.athleteCount === 1 ? '' : 's'}`
        : SUBJECT_LABELS[record.subject]
  return [
    record.scopes.map((scope) => SCOPE_LABELS[scope] ?? scope).join(', '),
    USAGE_LABELS[record.usage],
    subject,
  ].join(' · ')
}

/**
 * Every reason's moments, heaviest reason first and longest moment first within it, without
 * repeating a moment two reasons share: the order `m` steps through.
 */
export function riskMoments(reasons: ClipRiskReason[]) {
  const moments: { start: number; end: number; code: ClipRiskReason['code'] }[] = []
  for (const reason of [...reasons].sort((a, b) => b.weight - a.weight)) {
    for (const [start, end] of reason.times) {
      if (!moments.some((moment) => moment.start <= end && start <= moment.end))
        moments.push({ start, end, code: reason.code })
    }
  }
  return moments
}
