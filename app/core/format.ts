/** "4.3 GB": decimal units, as file managers show sizes. */
export function formatBytes(bytes: number) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = Number(bytes) || 0
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/** "$24.99" per currency; building an Intl.NumberFormat costs more than using one. */
const moneyFormats = new Map<string, Intl.NumberFormat>()
export function formatPrice(cents: number, currency: string) {
  if (cents === 0) return 'Free'
  let format = moneyFormats.get(currency)
  if (!format) {
    format = new Intl.NumberFormat('en', { style: 'currency', currency })
    moneyFormats.set(currency, format)
  }
  return format.format(cents / 100)
}

/** 45_000 → "45 s", 754_000 → "12 min 34 s", 3_960_000 → "1 h 6 min". */
export function formatLength(ms: number) {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
