// Follows a police feed import on its job page (episodes/import_job.html): asks the status URL
// every second, moves the progress bar, and reloads the page once the import has finished so
// it shows the summary. Without JavaScript the page's "Refresh" link does the same.
const POLL_MS = 1000

function follow (container) {
  const statusUrl = container.dataset.importStatusUrl
  const bar = container.querySelector('progress')
  const text = container.querySelector('[data-import-progress-text]')
  const announce = container.querySelector('[data-import-progress-announce]')
  let lastState = null

  function show (status) {
    bar.value = status.percent
    bar.textContent = `${status.percent}%`
    text.textContent = status.state === 'queued'
      ? 'Waiting for the import to start.'
      : `${status.rows_read.toLocaleString('en-GB')} rows read (${status.percent}%).`
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

document.querySelectorAll('[data-import-status-url]').forEach(follow)
