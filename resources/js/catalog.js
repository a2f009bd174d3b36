/*
 * Catalog cards: the muted preview plays while the pointer (or keyboard focus) is on a card and
 * stops when it leaves. Delegated on the document, so cards htmx swaps in work too.
 */
function start(card) {
  const video = card.querySelector('[data-preview-video]')
  if (!video) return
  video.play().then(
    () => video.classList.replace('opacity-0', 'opacity-100'),
    () => {}
  )
}

function stop(card) {
  const video = card.querySelector('[data-preview-video]')
  if (!video) return
  video.pause()
  video.classList.replace('opacity-100', 'opacity-0')
}

function cardOf(event) {
  return event.target instanceof Element ? event.target.closest('[data-preview-card]') : null
}

export function mountCatalog() {
  if (document.documentElement.dataset.catalogMounted) return
  document.documentElement.dataset.catalogMounted = 'true'
  document.addEventListener('pointerover', (event) => {
    const card = cardOf(event)
    if (card && !card.contains(event.relatedTarget)) start(card)
  })
  document.addEventListener('pointerout', (event) => {
    const card = cardOf(event)
    if (card && !card.contains(event.relatedTarget)) stop(card)
  })
  document.addEventListener('focusin', (event) => {
    const card = cardOf(event)
    if (card) start(card)
  })
  document.addEventListener('focusout', (event) => {
    const card = cardOf(event)
    if (card) stop(card)
  })
}
