// Keeps times on a page true while it stays open: every
//   <time data-tick="countdown" datetime="…">Due in 5 hours</time>   (Due in … / Overdue by …)
//   <time data-tick="elapsed" datetime="…" data-before="Missing for " data-after=" so far">
// is rewritten once a minute with the same words the server wrote (duration_words in
// episodes/templatetags/episodes_tags.py). Screen readers are not interrupted: no live region.

const MINUTE = 60 * 1000

function unit (number, name) {
  return `${number} ${name}${number === 1 ? '' : 's'}`
}

export function durationWords (milliseconds) {
  let minutes = Math.max(0, Math.floor(milliseconds / MINUTE))
  const days = Math.floor(minutes / (24 * 60))
  minutes -= days * 24 * 60
  const hours = Math.floor(minutes / 60)
  minutes -= hours * 60
  if (days) return [unit(days, 'day')].concat(hours ? [unit(hours, 'hour')] : []).join(' ')
  if (hours) return [unit(hours, 'hour')].concat(minutes ? [unit(minutes, 'minute')] : []).join(' ')
  return unit(minutes, 'minute')
}

function render (element, now) {
  const at = Date.parse(element.getAttribute('datetime'))
  if (Number.isNaN(at)) return
  if (element.dataset.tick === 'countdown') {
    const left = at - now
    const overdue = left <= 0
    element.textContent = overdue ? `Overdue by ${durationWords(-left)}` : `Due in ${durationWords(left)}`
    element.classList.toggle('govuk-tag', overdue)
    element.classList.toggle('govuk-tag--red', overdue)
  } else if (element.dataset.tick === 'elapsed') {
    const before = element.dataset.before || ''
    const after = element.dataset.after || ''
    element.textContent = `${before}${durationWords(now - at)}${after}`
  }
}

export function startTicking (root) {
  const tick = () => {
    const now = Date.now()
    root.querySelectorAll('time[data-tick]').forEach((element) => render(element, now))
  }
  if (root.querySelector('time[data-tick]')) {
    window.setInterval(tick, MINUTE)
  }
}
