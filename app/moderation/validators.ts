import '#app/core/validation_messages'
import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { DECISIONS } from '#app/moderation/moderation_decisions'
import { QUEUE_SORTS, QUEUE_STATUSES } from '#app/moderation/review_queue'

/*
 * The moderation queue's filters and the reviewer's decisions. A rejection always says why:
 * its creator reads the reason on the clip's page.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/

/** The queue's query string (also carried by the review page, so j/k follow the same list). */
export const queueFiltersValidator = vine.create({
  status: vine.enum(QUEUE_STATUSES).optional(),
  sport: vine.string().trim().maxLength(60).optional(),
  activity: vine.string().trim().maxLength(120).optional(),
  creator: vine.string().trim().maxLength(200).optional(),
  from: vine.string().trim().regex(DATE).optional(),
  to: vine.string().trim().regex(DATE).optional(),
  sort: vine.enum(QUEUE_SORTS).optional(),
  page: vine.number({ strict: false }).withoutDecimals().min(1).max(100_000).optional(),
})
queueFiltersValidator.messagesProvider = new SimpleMessagesProvider(
  {
    'status.enum': 'Show clips awaiting review, approved or rejected.',
    'sport.maxLength': 'A sport has at most {{ max }} characters.',
    'activity.maxLength': 'Search activities with at most {{ max }} characters.',
    'creator.maxLength': 'Search creators with at most {{ max }} characters.',
    'from.regex': 'Give dates as YYYY-MM-DD.',
    'to.regex': 'Give dates as YYYY-MM-DD.',
    'sort.enum': 'Sort the queue in its usual order or riskiest first.',
    'page': 'Pages are numbered 1, 2, 3…',
  },
  {}
)

const reason = () => vine.string().trim().minLength(3).maxLength(500)

const reasonMessages = {
  'reason.required': 'Give the reason for the rejection: the creator reads it.',
  'reason.requiredWhen': 'Give the reason for the rejection: the creator reads it.',
  'reason.minLength':
    'Give the reason for the rejection in at least {{ min }} characters: the creator reads it.',
  'reason.maxLength': 'Keep the reason under {{ max }} characters.',
}

/** Rejecting one clip. */
export const rejectValidator = vine.create({
  reason: reason(),
})
rejectValidator.messagesProvider = new SimpleMessagesProvider(reasonMessages, { reason: 'reason' })

/** One decision for the ticked clips; a rejection needs its reason. */
export const bulkDecisionValidator = vine.create({
  action: vine.enum(DECISIONS),
  clips: vine.array(vine.string().trim().uuid()).minLength(1).maxLength(100),
  reason: reason().optional().requiredWhen('action', '=', 'reject'),
})
bulkDecisionValidator.messagesProvider = new SimpleMessagesProvider(
  {
    ...reasonMessages,
    'action.required': 'Choose whether to approve or reject the ticked clips.',
    'action.enum': 'Choose whether to approve or reject the ticked clips.',
    'clips.required': 'Tick at least one clip first.',
    'clips.array.minLength': 'Tick at least one clip first.',
    'clips.array.maxLength': 'Decide at most {{ max }} clips at once.',
    'clips.*.uuid': 'One of the ticked clips is not a clip id; reload the queue and try again.',
  },
  { reason: 'reason' }
)

/** Where a decision returns: the queue or a review page, never anywhere else. */
const NEXT =
  /^\/admin\/moderation(\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?(\?[^#\s]*)?$/i

export function safeNext(value: unknown) {
  return typeof value === 'string' && NEXT.test(value) ? value : '/admin/moderation'
}
