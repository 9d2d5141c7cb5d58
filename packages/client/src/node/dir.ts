// A folder for one task's files, named by a server string, that is provably inside the root.
import { lstat, mkdir, realpath } from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
import { safeSegment } from '../untrusted.js'
import { DownloadError } from './errors.js'

/** True when `path` is `root` itself or below it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..')
}

/**
 * Creates (if needed) `root` and the folder `safeSegment(name)` in it and returns that folder's
 * real path. `name` may be anything a server sent (a task id): it can never point outside `root`.
 * Throws `DownloadError('unsafe_path')` when the folder exists as a symlink or anything but a
 * folder, or resolves outside `root`.
 */
export async function outputDir(root: string, name: string): Promise<string> {
  await mkdir(root, { recursive: true })
  const realRoot = await realpath(root)
  const folder = join(realRoot, safeSegment(name, 100))
  try {
    await mkdir(folder)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const stat = await lstat(folder)
  if (!stat.isDirectory() || stat.isSymbolicLink())
    throw new DownloadError('unsafe_path', `Refusing to use ${folder}: it is not a folder (a symlink?)`)
  const real = await realpath(folder)
  if (!isInside(realRoot, real) || real === realRoot)
    throw new DownloadError('unsafe_path', `Refusing to use ${folder}: it resolves outside ${realRoot}`)
  return real
}
