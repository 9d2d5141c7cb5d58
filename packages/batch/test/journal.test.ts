import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JournalUnavailableError, SqliteJournal } from '../src/index.js'

describe('SqliteJournal when the native module does not load', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'goapi-journal-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a missing native module is a JournalUnavailableError that says how to build it', () => {
    const open = () => new SqliteJournal(join(dir, 'a.sqlite'), { nativeBinding: join(dir, 'missing.node') })
    expect(open).toThrow(JournalUnavailableError)
    try {
      open()
    } catch (error) {
      expect((error as Error).message).toContain('npx -y pnpm@12.4.2 run native')
      expect((error as Error).cause).toBeInstanceOf(Error)
    }
  })

  it('a file that is not a native module is a JournalUnavailableError too', async () => {
    const fake = join(dir, 'fake.node')
    await writeFile(fake, 'not an ELF file')
    expect(() => new SqliteJournal(join(dir, 'b.sqlite'), { nativeBinding: fake })).toThrow(JournalUnavailableError)
  })

  it('other failures keep their own error (a folder that does not exist)', () => {
    const open = () => new SqliteJournal(join(dir, 'no', 'such', 'folder', 'c.sqlite'))
    expect(open).toThrow()
    expect(open).not.toThrow(JournalUnavailableError)
  })

  it('opens normally when the module is built', () => {
    const journal = new SqliteJournal(join(dir, 'd.sqlite'))
    expect(journal.db.open).toBe(true)
    journal.db.close()
  })
})
