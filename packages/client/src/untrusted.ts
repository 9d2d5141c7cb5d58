// Untrusted server data: every string from the network that becomes a path segment or a terminal
// line passes through here. Pure and platform-neutral (no Node APIs), so it works in every runtime.
export { redact } from './internal/redact.js'

// Terminal control sequences, longest forms first:
//   CSI  ESC [ (or C1 0x9b) parameters, intermediates, one final byte
//   OSC, DCS, SOS, PM, APC  ESC ] P X ^ _ (or C1 0x9d 0x90 0x98 0x9e 0x9f) up to BEL or ST (ESC \ or 0x9c),
//        or to the end of the text when unterminated (a terminal would swallow it all the same)
//   any other escape  ESC, intermediates, one final byte (ESC 7, ESC c, ESC ( B, ...)
const SEQUENCE =
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u009c\u001b]*(?:\u0007|\u009c|\u001b\\|$)|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g
// Characters that move the cursor to another line or column: shown as one space, so a server cannot forge lines.
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g
// Every other C0/C1 control, DEL, and the bidirectional overrides and isolates that reorder what is shown.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * `value` as text that is safe to write to a terminal: escape sequences (CSI, OSC, DCS, ...) are
 * removed, line breaks and tabs become a space, other control characters and bidi overrides are
 * removed. With `maxLength`, longer results are cut and end in `…`.
 */
export function printable(value: unknown, maxLength = Infinity): string {
  const text = String(value).replace(SEQUENCE, '').replace(LINE_BREAKS, ' ').replace(CONTROLS, '')
  if (text.length <= maxLength) return text
  return `${text.slice(0, Math.max(0, maxLength - 1))}…`
}

// Names Windows reserves in every folder, with or without an extension.
const RESERVED = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?$/i

/**
 * `value` as one safe file or folder name: only `A-Z a-z 0-9 . _ -` are kept (anything else
 * becomes `_`), it never starts with a dot (so it is never `.`, `..` or hidden), is never empty
 * or a Windows device name, and has at most `maxLength` characters (a longer value is cut and
 * ends in a hash of the whole value, so distinct long values stay distinct).
 */
export function safeSegment(value: unknown, maxLength = 100): string {
  const limit = Math.max(16, Math.floor(maxLength))
  const raw = String(value)
  let name = raw.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length))
  if (name === '') name = '_'
  if (RESERVED.test(name)) name = `_${name}`
  if (name.length > limit) name = `${name.slice(0, limit - 9)}-${fnv1a(raw)}`
  return name
}

/** 32-bit FNV-1a of the UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}
