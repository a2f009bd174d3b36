/*
 * Secrets a production process refuses to start with: a placeholder copied from
 * .env.example (or a test file), or one short enough to guess. Run by start/env.ts once
 * the values have been parsed, only with NODE_ENV=production.
 */

interface SecretRule {
  key: string
  /** Shortest value accepted. */
  min: number
  /** Checked only when set (Stripe is optional). */
  optional?: boolean
}

export const SECRET_RULES: SecretRule[] = [
  { key: 'APP_KEY', min: 32 },
  { key: 'S3_SECRET_KEY', min: 16 },
  { key: 'DB_PASSWORD', min: 16 },
  { key: 'REDIS_PASSWORD', min: 16 },
  { key: 'STRIPE_SECRET_KEY', min: 16, optional: true },
  { key: 'STRIPE_WEBHOOK_SECRET', min: 16, optional: true },
  { key: 'STRIPE_CONNECT_WEBHOOK_SECRET', min: 16, optional: true },
]

/** Values that ship in this repository's examples and test files, or in MinIO's docs. */
const KNOWN_PLACEHOLDERS = new Set([
  'change-me',
  'change-me-too',
  'changeme',
  'secret',
  'password',
  'athera',
  'minioadmin',
  's3rver',
  'test-key-not-secret-0123456789abcdef',
])
const PLACEHOLDER_PATTERN =
  /change[-_ ]?me|not[-_ ]?secret|placeholder|your[-_ ]?(secret|password|key)/i

/** Why a value is refused, as a sentence naming the variable; null when it is acceptable. */
export function secretProblem(rule: SecretRule, value: string | undefined): string | null {
  const text = (value ?? '').trim()
  if (!text) {
    if (rule.optional) return null
    return `${rule.key} is empty. Set a random value of at least ${rule.min} characters (sh docker/init-env.sh writes fresh ones).`
  }
  if (KNOWN_PLACEHOLDERS.has(text.toLowerCase()) || PLACEHOLDER_PATTERN.test(text)) {
    return `${rule.key} is a placeholder ("${text}"). Set a random value of at least ${rule.min} characters (sh docker/init-env.sh writes fresh ones).`
  }
  if (text.length < rule.min) {
    return `${rule.key} is too short (${text.length} characters). Set a random value of at least ${rule.min} characters.`
  }
  return null
}

type Readable = { get(key: any): unknown }

function plain(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  // Env.schema.secret() values are Secret objects that print as "[redacted]".
  if (
    typeof value === 'object' &&
    'release' in value &&
    typeof (value as any).release === 'function'
  ) {
    return String((value as any).release())
  }
  return String(value)
}

/** Throws one error listing every refused secret. */
export function checkProductionSecrets(env: Readable) {
  const problems = SECRET_RULES.map((rule) => secretProblem(rule, plain(env.get(rule.key)))).filter(
    (problem): problem is string => problem !== null
  )
  if (problems.length > 0) {
    throw new Error(`Refusing to start in production:\n  - ${problems.join('\n  - ')}`)
  }
}
