import type { ApiResponse } from '@japa/api-client'

/** The validation messages a form POST flashed for one field (AdonisJS 7: `inputErrorsBag`). */
export function fieldErrors(response: ApiResponse, field: string): string[] {
  const bag = response.flashMessages()?.inputErrorsBag as Record<string, string[]> | undefined
  return bag?.[field] ?? []
}
