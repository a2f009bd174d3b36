/*
 * Globals shared with every Edge template.
 */
import edge from 'edge.js'
import { DateTime } from 'luxon'

edge.global('formatDate', (value: DateTime | null | undefined) =>
  value ? value.toFormat('d LLL yyyy') : '—'
)

edge.global('formatMoney', (cents: number, currency = 'USD') =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100)
)
