// Warns a signed-in person before an idle session ends, and lets them keep it.
//
// base.html puts the idle timeout and a keep-alive URL on <body> and the (hidden) warning
// dialog in the page. The server's idle clock restarts on every request, so this clock
// restarts on page load, on each htmx request, and when another tab of Homeward loads a
// page (shared through localStorage), so one busy tab does not make another cry wolf.
const WARNING_BEFORE_MS = 5 * 60 * 1000
const TICK_MS = 15 * 1000
const STORAGE_KEY = 'homeward:last-server-activity'
const HIDDEN = 'govuk-!-display-none'

export function startSessionTimeoutWarning (body = document.body) {
  const seconds = Number.parseInt(body.dataset.sessionTimeoutSeconds || '', 10)
  const keepaliveUrl = body.dataset.sessionKeepaliveUrl
  const dialog = document.getElementById('session-timeout-warning')
  if (!(seconds > 0) || !keepaliveUrl || !dialog) {
    return
  }

  const timeoutMs = seconds * 1000
  // Never warn for more than half the session: a short timeout would warn on page load.
  const warnBeforeMs = Math.min(WARNING_BEFORE_MS, timeoutMs / 2)
  const warning = dialog.querySelector('[data-session-timeout-warning]')
  const expired = dialog.querySelector('[data-session-timeout-expired]')
  const remaining = dialog.querySelector('[data-session-timeout-remaining]')
  const stayButton = dialog.querySelector('[data-session-timeout-stay]')

  let lastActivity = 0
  let timers = []

  function clearTimers () {
    timers.forEach((timer) => clearTimeout(timer))
    timers = []
  }

  function endsAt () {
    return lastActivity + timeoutMs
  }

  function open () {
    dialog.classList.remove(HIDDEN)
    if (!dialog.open) {
      if (typeof dialog.showModal === 'function') {
        dialog.showModal()
      } else {
        dialog.setAttribute('open', '')
      }
    }
  }

  function close () {
    if (dialog.open) {
      if (typeof dialog.close === 'function') {
        dialog.close()
      } else {
        dialog.removeAttribute('open')
      }
    }
    dialog.classList.add(HIDDEN)
  }

  function showRemaining () {
    const minutes = Math.max(1, Math.ceil((endsAt() - Date.now()) / 60000))
    remaining.textContent = minutes === 1 ? '1 minute' : `${minutes} minutes`
  }

  function tick () {
    if (Date.now() >= endsAt()) {
      expire()
      return
    }
    showRemaining()
    timers.push(setTimeout(tick, TICK_MS))
  }

  // Name the dialog after whichever heading is showing.
  function label (part) {
    dialog.setAttribute('aria-labelledby', part.querySelector('h2').id)
  }

  function warn () {
    warning.classList.remove(HIDDEN)
    expired.classList.add(HIDDEN)
    label(warning)
    stayButton.disabled = false
    tick()
    open()
  }

  function expire () {
    clearTimers()
    warning.classList.add(HIDDEN)
    expired.classList.remove(HIDDEN)
    label(expired)
    open()
  }

  function schedule () {
    clearTimers()
    close()
    const now = Date.now()
    timers.push(setTimeout(warn, Math.max(0, endsAt() - warnBeforeMs - now)))
    timers.push(setTimeout(expire, Math.max(0, endsAt() - now)))
  }

  function recordActivity (at, share) {
    if (at <= lastActivity) {
      return
    }
    lastActivity = at
    if (share) {
      try {
        window.localStorage.setItem(STORAGE_KEY, String(at))
      } catch {
        // Storage can be switched off; each tab then keeps its own clock.
      }
    }
    schedule()
  }

  async function staySignedIn () {
    stayButton.disabled = true
    try {
      const response = await fetch(keepaliveUrl, {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json' }
      })
      if (response.redirected || response.status === 401 || response.status === 403) {
        // The session had already ended: the keep-alive URL sent us to sign in.
        expire()
      } else if (response.ok) {
        recordActivity(Date.now(), true)
      } else {
        stayButton.disabled = false
      }
    } catch {
      // Offline for a moment: leave the warning up so they can try again.
      stayButton.disabled = false
    }
  }

  stayButton.addEventListener('click', staySignedIn)
  // Escape closes a modal dialog; treat it as "stay signed in" rather than leaving the
  // clock running with the warning gone.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    if (!warning.classList.contains(HIDDEN)) {
      staySignedIn()
    }
  })
  document.addEventListener('htmx:afterRequest', () => recordActivity(Date.now(), true))
  window.addEventListener('storage', (event) => {
    if (event.key === STORAGE_KEY && event.newValue) {
      recordActivity(Number(event.newValue), false)
    }
  })

  recordActivity(Date.now(), true)
}
