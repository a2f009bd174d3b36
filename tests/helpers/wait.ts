/** Polls `check` every `everyMs` until it answers true (→ true) or `timeoutMs` passes (→ false). */
export async function until(check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return false
}
