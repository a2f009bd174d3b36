import type { HttpContext } from '@adonisjs/core/http'

type Request = HttpContext['request']

/** The request came from htmx (it sends `HX-Request: true` with each of its requests). */
export function isHtmx(request: Request) {
  return request.header('HX-Request') === 'true'
}

/**
 * htmx wants a fragment to swap in. A history restore (the back button after htmx's cache was
 * evicted) sends HX-Request too, but replaces the whole body: it needs the page.
 */
export function wantsFragment(request: Request) {
  return isHtmx(request) && request.header('HX-History-Restore-Request') !== 'true'
}

/**
 * One URL, two answers: the fragment for htmx, the page for anyone else. `Vary` tells caches
 * the two apart. Each is a function, so only the one sent is rendered.
 */
export async function fragmentOrPage<T>(
  { request, response }: Pick<HttpContext, 'request' | 'response'>,
  answers: { fragment: () => T | Promise<T>; page: () => T | Promise<T> }
) {
  response.append('Vary', 'HX-Request')
  return wantsFragment(request) ? answers.fragment() : answers.page()
}
