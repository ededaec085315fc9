// Starts GOV.UK Frontend's components, the session timeout warning and the ticking clocks on
// every page.
// Loaded by templates/base.html as a module, so it runs only in browsers that GOV.UK
// Frontend supports (the same ones that get the `govuk-frontend-supported` class).
import { initAll } from './govuk-frontend.min.js'
import { startSessionTimeoutWarning } from './session-timeout.mjs'
import { startTicking } from './ticking.mjs'

initAll()
startSessionTimeoutWarning(document.body)
startTicking(document.body)

// Content that htmx swaps in needs its components started too. htmx also fires
// `htmx:load` for the body when it starts, which initAll() above has covered.
document.addEventListener('htmx:load', (event) => {
  const element = event.detail && event.detail.elt
  if (element instanceof Element && element !== document.body) {
    initAll({ scope: element })
  }
})
