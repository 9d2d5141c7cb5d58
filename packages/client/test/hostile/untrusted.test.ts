// printable() and safeSegment(): what a hostile server string becomes on a terminal and on disk.
import { describe, expect, it } from 'vitest'
import { printable, safeSegment } from '../../src/index.js'

const ESC = '\u001b'
const BEL = '\u0007'

describe('printable', () => {
  it.each([
    ['OSC 0 window title', `a${ESC}]0;pwned${BEL}b`, 'ab'],
    ['OSC 52 clipboard (ST terminated)', `a${ESC}]52;c;Y3VybCBldmlsfHNo${ESC}\\b`, 'ab'],
    ['OSC 8 hyperlink', `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['CSI 2J clear screen', `a${ESC}[2J${ESC}[Hb`, 'ab'],
    ['SGR colours', `${ESC}[31;1mred${ESC}[0m`, 'red'],
    ['C1 CSI', `a\u009b2Jb`, 'ab'],
    ['C1 OSC', `a\u009d0;title\u0007b`, 'ab'],
    ['DCS', `a${ESC}Pq#0;2;0;0;0${ESC}\\b`, 'ab'],
    ['unterminated OSC', `a${ESC}]0;everything after`, 'a'],
    ['bare ESC c (reset)', `a${ESC}cb`, 'ab'],
    [
      'CR line forging',
      'completed\rfailed: send your key to evil.example',
      'completed failed: send your key to evil.example',
    ],
    ['LF line forging', 'ok\nTask 123 completed', 'ok Task 123 completed'],
    ['backspaces', 'abc\b\b\bxyz', 'abcxyz'],
    ['NUL and DEL', 'a\u0000b\u007fc', 'abc'],
    ['bidi override', 'evil\u202Egnp.exe', 'evilgnp.exe'],
    ['bidi isolates', 'a\u2066b\u2069c', 'abc'],
    ['Unicode line separators', 'a\u2028b\u2029c', 'a b c'],
  ])('%s', (_name, input, expected) => {
    const out = printable(input)
    expect(out).toBe(expected)
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
  })

  it('keeps ordinary text, including non-Latin scripts and emoji', () => {
    expect(printable('Ünïcødé 中文 🎨 — fine')).toBe('Ünïcødé 中文 🎨 — fine')
  })

  it('turns any value into text and caps its length', () => {
    expect(printable(42)).toBe('42')
    expect(printable(undefined)).toBe('undefined')
    expect(printable('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`)
  })
})

describe('safeSegment', () => {
  it.each([
    ['..', '__'],
    ['.', '_'],
    ['', '_'],
    ['../../x', '___.._x'],
    ['/etc/passwd', '_etc_passwd'],
    ['C:\\Windows', 'C__Windows'],
    ['a\u0000b', 'a_b'],
    ['.bashrc', '_bashrc'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['5e6f0a7c-1b2d-4e3f-9a8b-7c6d5e4f3a2b', '5e6f0a7c-1b2d-4e3f-9a8b-7c6d5e4f3a2b'],
    ['image_urls.1', 'image_urls.1'],
  ])('%j -> %j', (input, expected) => {
    expect(safeSegment(input)).toBe(expected)
  })

  it('caps the length and keeps distinct long values distinct', () => {
    const a = safeSegment(`${'a'.repeat(500)}1`, 64)
    const b = safeSegment(`${'a'.repeat(500)}2`, 64)
    expect(a).toHaveLength(64)
    expect(b).toHaveLength(64)
    expect(a).not.toBe(b)
  })

  it('is never a dot name, empty, or holds a separator, whatever the input', () => {
    const samples = ['..', '...', './', '/..', '\\..', '..\u0000', ' .. ', '%2e%2e', '\u2024\u2024', '..'.repeat(200)]
    for (const s of samples) {
      const out = safeSegment(s)
      expect(out).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/)
      expect(out.length).toBeLessThanOrEqual(100)
    }
  })
})
