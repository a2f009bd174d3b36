/*
 * The only script bundle: htmx and Alpine, served by the appliance itself (no CDN).
 * Every page works without it; it adds partial updates and small interactions.
 */
import htmx from 'htmx.org'
// The CSP build: the appliance's Content-Security-Policy forbids eval.
import Alpine from '@alpinejs/csp'

window.htmx = htmx
window.Alpine = Alpine

/* Shield refuses state-changing requests without the CSRF token: send it with every htmx call. */
document.addEventListener('htmx:configRequest', (event) => {
  const token = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content')
  if (token) event.detail.headers['X-CSRF-TOKEN'] = token
})

/* Toasts: auto-dismiss after a few seconds, unless hovered. */
Alpine.data('toast', (timeout = 5000) => ({
  open: true,
  timer: null,
  init() {
    this.start()
  },
  start() {
    this.timer = setTimeout(() => (this.open = false), timeout)
  },
  stop() {
    clearTimeout(this.timer)
  },
}))

/* Sign-up: the company field matters only to buyers. */
Alpine.data('signupForm', () => ({
  isBuyer: false,
  init() {
    this.isBuyer = this.$el.dataset.role === 'buyer'
  },
  pick(event) {
    this.isBuyer = event.target.value === 'buyer'
  },
}))

/* Consent form: guardian fields only for a minor, the athlete count only for a coach. */
Alpine.data('consentForm', () => ({
  subject: 'self',
  init() {
    this.subject = this.$el.dataset.subject || 'self'
  },
  pick(event) {
    this.subject = event.target.value
  },
  get isMinor() {
    return this.subject === 'minor'
  },
  get notMinor() {
    return this.subject !== 'minor'
  },
  get isCoach() {
    return this.subject === 'coached_athletes'
  },
}))

Alpine.start()

/* The uploader is a separate chunk, loaded only on the upload page. */
const uploader = document.getElementById('uploader')
if (uploader) {
  import('./upload.js').then(({ mountUploader }) => mountUploader(uploader))
}

/*
 * Pose skeletons over processed videos: MediaPipe's drawing utilities are a large module, so
 * they load only on pages that show a skeleton (and after htmx brings one in).
 */
function loadSkeletons(root = document) {
  if (root.querySelector?.('[data-skeleton]'))
    import('./skeleton.js').then((module) => module.scan(root))
}
document.addEventListener('DOMContentLoaded', () => loadSkeletons())
document.addEventListener('htmx:afterSettle', (event) => loadSkeletons(event.target))

/* Catalog cards play their muted preview on hover (a small chunk, only on catalog pages). */
if (document.querySelector('[data-catalog-grid], [data-catalog-filters]')) {
  import('./catalog.js').then(({ mountCatalog }) => mountCatalog())
}

/* The moderation queue and review page: keyboard decisions, synced videos, blurred regions. */
if (document.querySelector('[data-moderation]')) {
  import('./moderation.js').then(({ mountModeration }) => mountModeration())
}
