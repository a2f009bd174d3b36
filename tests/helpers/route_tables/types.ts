export type Actor = 'anonymous' | 'creator' | 'buyer' | 'admin' | 'suspended'
export const ACTORS: Actor[] = ['anonymous', 'creator', 'buyer', 'admin', 'suspended']

/**
 * Route ("METHOD /pattern") → the status each kind of visitor gets; `[302, '/login']` also
 * names the redirect target. Path parameters are filled by `params` in the table's file.
 */
export type Expectation = number | [number, string]
export type RouteTable = Record<string, Record<Actor, Expectation>>

/**
 * Creates what a table's routes point at (someone else's clip, a consent record…) and
 * returns the value of each path parameter. Runs inside the test's transaction.
 */
export type ParamFixture = () => Promise<Record<string, string>>
