// Follows a governance pack's generation on its page (reporting/governance_pack.html): asks the
// status URL every second, moves the progress bar, and reloads the page once the pack is ready
// so it shows the files. Without JavaScript the page's "Refresh" link does the same.
const POLL_MS = 1000

function follow (container) {
  const statusUrl = container.dataset.packStatusUrl
  const bar = container.querySelector('progress')
  const text = container.querySelector('[data-pack-progress-text]')
  const announce = container.querySelector('[data-pack-progress-announce]')
  let lastState = null

  function show (status) {
    bar.value = status.percent
    bar.textContent = `${status.percent}%`
    text.textContent = status.state === 'queued'
      ? 'Waiting to start.'
      : `${status.step || 'Generating'} (${status.percent}%).`
    // Announce changes of state only: a screen reader reading every second would drown the page.
    if (lastState !== null && status.state !== lastState) {
      announce.textContent = status.state_label
    }
    lastState = status.state
  }

  async function poll () {
    try {
      const response = await fetch(statusUrl, {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json' }
      })
      if (response.redirected || response.status === 401 || response.status === 403 || response.status === 404) {
        return // signed out, or no longer allowed: the Refresh link still works
      }
      if (response.ok) {
        const status = await response.json()
        if (status.finished) {
          window.location.reload()
          return
        }
        show(status)
      }
    } catch {
      // Offline for a moment: try again on the next tick.
    }
    window.setTimeout(poll, POLL_MS)
  }

  window.setTimeout(poll, POLL_MS)
}

document.querySelectorAll('[data-pack-status-url]').forEach(follow)
