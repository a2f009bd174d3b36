import { parse } from 'yaml'

/*
 * compose.yaml as Compose renders it: YAML parsed with anchors and `<<` merges resolved, then
 * `${…}` interpolation applied to every string, as `docker compose config` does. Parsed under
 * YAML 1.1 too, which some Compose implementations still use (there `yes`, `on` and `off` are
 * booleans as well as `true`).
 */
export type YamlVersion = '1.1' | '1.2'

export function parseCompose(text: string, version: YamlVersion = '1.2') {
  return parse(text, { merge: true, version }) as any
}

/** Compose's variable interpolation of one string: $$, $NAME, ${NAME}, :- - :? ? :+ +. */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  let out = ''
  let index = 0
  while (index < value.length) {
    const char = value[index]
    if (char !== '$') {
      out += char
      index++
      continue
    }
    const next = value[index + 1]
    if (next === '$') {
      out += '$'
      index += 2
      continue
    }
    if (next === '{') {
      const end = closingBrace(value, index + 1)
      out += expand(value.slice(index + 2, end), vars)
      index = end + 1
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(index + 1))?.[0]
    if (!name) throw new Error(`Invalid interpolation at "${value.slice(index)}"`)
    out += vars[name] ?? ''
    index += 1 + name.length
  }
  return out
}

function closingBrace(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}' && --depth === 0) return i
  }
  throw new Error(`Unclosed "\${" in "${text}"`)
}

function expand(body: string, vars: Record<string, string | undefined>): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body)
  if (!match) throw new Error(`Invalid interpolation "\${${body}}"`)
  const [, name, operator, rest = ''] = match
  const value = vars[name]
  const unsetOrEmpty = value === undefined || value === ''
  switch (operator) {
    case undefined:
      return value ?? ''
    case ':-':
      return unsetOrEmpty ? interpolate(rest, vars) : value!
    case '-':
      return value === undefined ? interpolate(rest, vars) : value
    case ':?':
    case '?':
      if (operator === ':?' ? unsetOrEmpty : value === undefined) {
        throw new Error(`required variable ${name} is missing a value: ${interpolate(rest, vars)}`)
      }
      return value!
    case ':+':
      return unsetOrEmpty ? '' : interpolate(rest, vars)
    default:
      return value === undefined ? '' : interpolate(rest, vars)
  }
}

/** Interpolates every string of a parsed compose document; other scalars stay as they are. */
export function render(node: unknown, vars: Record<string, string | undefined>): any {
  if (typeof node === 'string') return interpolate(node, vars)
  if (Array.isArray(node)) return node.map((item) => render(item, vars))
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, render(item, vars)]))
  }
  return node
}

/** A Compose env_file: KEY=VALUE lines, # comments, optional surrounding quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const trimmed = line.trim()
    if (!trimmed || trimmed.startsWith('#')) continue
    const at = trimmed.indexOf('=')
    if (at < 1) continue
    const raw = trimmed.slice(at + 1).trim()
    values[trimmed.slice(0, at).trim()] = /^(['"]).*\1$/.test(raw) ? raw.slice(1, -1) : raw
  }
  return values
}

/** A service's `environment:` as written, in its map or list form. */
export function environmentOf(service: any): Record<string, unknown> {
  const environment = service?.environment ?? {}
  if (!Array.isArray(environment)) return environment
  return Object.fromEntries(
    environment.map((entry: unknown) => {
      const text = String(entry)
      const at = text.indexOf('=')
      return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)]
    })
  )
}
