/*
 * Globals shared with every Edge template.
 */
import edge from 'edge.js'
import { type DateTime } from 'luxon'
import type User from '#models/user'
import { navigationFor } from '#app/accounts/navigation'
import { formatBytes } from '#app/core/format'

edge.global('formatDate', (value: DateTime | null | undefined) =>
  value ? value.toFormat('d LLL yyyy') : '—'
)

edge.global('formatMoney', (cents: number, currency = 'USD') =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(cents / 100)
)

edge.global('formatBytes', formatBytes)

edge.global('navigation', (user: User) => navigationFor(user))
