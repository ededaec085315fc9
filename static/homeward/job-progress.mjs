// Follows a background job on its page (a police feed import, episodes/import_job.html; a
// governance pack, reporting/governance_pack.html): asks the status URL every second, moves the
// progress bar, and reloads the page once the job has finished so it shows the result. Without
// JavaScript the page's "Refresh" link does the same. The container carries the status URL
// (data-job-status-url) and what to say while the job waits (data-job-waiting).
const POLL_MS = 1000

// What the job has done: an import counts rows; a pack names its step.
function progressText (status) {
  const done = status.rows_read !== undefined
    ? `${status.rows_read.toLocaleString('en-GB')} rows read`
    : (status.step || 'Generating')
  return `${done} (${status.percent}%).`
}

function follow (container) {
  const statusUrl = container.dataset.jobStatusUrl
  const bar = container.querySelector('progress')
  const text = container.querySelector('[data-job-progress-text]')
  const announce = container.querySelector('[data-job-progress-announce]')
  let lastState = null

  function show (status) {
    bar.value = status.percent
    bar.textContent = `${status.percent}%`
    text.textContent = status.state === 'queued' ? container.dataset.jobWaiting : progressText(status)
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

document.querySelectorAll('[data-job-status-url]').forEach(follow)
