import { Exception } from '@adonisjs/core/exceptions'

/*
 * Errors in one shape. Each feature lists its errors once, in `app/<feature>/errors.ts`: for
 * each code, the HTTP status and the sentence its reader sees (a function when the sentence
 * names something: a size, a version). Services throw the feature's error by code; only the
 * exception handler (app/exceptions/handler.ts) turns one into a page, an htmx fragment or
 * JSON, and app/exceptions/api_error.ts into the REST API's body.
 */

/** One code of a feature: its status, its sentence, and optionally how the web shows it. */
export interface ErrorEntry<Params = any> {
  status: number
  sentence: string | ((params: Params) => string)
  /** The page that explains it (Edge template, given `message` and `back`); a generic one otherwise. */
  page?: string
  /** The code the REST API answers with; by default 404 → not_found, other 4xx → bad_request. */
  api?: string
  /** Headers every answer carries (Retry-After for a 503). */
  headers?: Record<string, string>
}

export type ErrorCatalog = Record<string, ErrorEntry>

type ParamsOf<Entry> = Entry extends { sentence: (params: infer P) => string } ? P : undefined

/** What a throw site may add beyond the code and its params. */
export interface FeatureErrorOptions {
  /** Where the reader can go instead (a link the page offers). */
  back?: string | null
  /** What the log keeps beyond the sentence (a path, a byte count); never shown. */
  detail?: string
  cause?: unknown
}

/** The arguments after the code: the sentence's params when it takes some, then the options. */
export type ErrorArgs<Entry> =
  undefined extends ParamsOf<Entry>
    ? [params?: ParamsOf<Entry>, options?: FeatureErrorOptions]
    : [params: ParamsOf<Entry>, options?: FeatureErrorOptions]

/**
 * A refusal a feature raises: a code from its catalog, the status, the sentence (its message)
 * and what the sentence was made from. Each feature subclasses it, so callers can tell its
 * errors apart (`error instanceof ConsentError`).
 */
export class FeatureError<Code extends string = string> extends Exception {
  declare code: Code
  declare status: number
  readonly params: Record<string, unknown>
  readonly back: string | null
  readonly detail: string | null
  readonly entry: ErrorEntry

  constructor(
    code: Code,
    entry: ErrorEntry,
    params: Record<string, unknown> | undefined,
    options: FeatureErrorOptions = {}
  ) {
    super(sentenceOf(entry, params), { code, status: entry.status, cause: options.cause })
    this.entry = entry
    this.params = params ?? {}
    this.back = options.back ?? null
    this.detail = options.detail ?? null
  }
}

function sentenceOf(entry: ErrorEntry, params: unknown) {
  return typeof entry.sentence === 'function' ? entry.sentence(params) : entry.sentence
}

type FeatureErrorClass<E> = new (
  code: any,
  entry: ErrorEntry,
  params: any,
  options?: FeatureErrorOptions
) => E

/** A feature's catalog with its error class: `raise(code, params?, options?)` builds the error. */
export interface FeatureErrors<Catalog extends ErrorCatalog, E> {
  catalog: Catalog
  codes: (keyof Catalog & string)[]
  raise<Code extends keyof Catalog & string>(code: Code, ...args: ErrorArgs<Catalog[Code]>): E
  /** The sentence of a code, for answers that are not thrown (a flash, a result object). */
  sentence<Code extends keyof Catalog & string>(
    code: Code,
    ...args: ErrorArgs<Catalog[Code]>
  ): string
  /** The sentence of a refusal returned as a value, `{ code, ...what its sentence names }`. */
  describe<Refusal extends { code: keyof Catalog & string }>(refusal: Refusal): string
  status(code: keyof Catalog & string): number
}

/** Binds a feature's catalog to its error class. */
export function defineErrors<const Catalog extends ErrorCatalog, E extends FeatureError>(
  ErrorClass: FeatureErrorClass<E>,
  catalog: Catalog
): FeatureErrors<Catalog, E> {
  return {
    catalog,
    codes: Object.keys(catalog) as (keyof Catalog & string)[],
    raise: (code, ...[params, options]) => new ErrorClass(code, catalog[code], params, options),
    sentence: (code, ...[params]) => sentenceOf(catalog[code], params),
    describe: (refusal) => sentenceOf(catalog[refusal.code], refusal),
    status: (code) => catalog[code].status,
  }
}
