import { defineConfig } from 'tsdown'
import base from '../../tsdown.base.js'

// Node-only: the journal is SQLite (better-sqlite3) and the queue is BullMQ on Redis.
export default defineConfig({ ...base, platform: 'node' })
