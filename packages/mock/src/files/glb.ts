// A valid binary glTF 2.0 (GLB) holding one triangle whose shape comes from the seed text.
import { seedBytes } from './hash.js'

function pad(buf: Buffer, fill: number): Buffer {
  const rest = (4 - (buf.length % 4)) % 4
  return rest ? Buffer.concat([buf, Buffer.alloc(rest, fill)]) : buf
}

export function glb(seed: string): Buffer {
  const s = seedBytes(seed, 9)
  const positions = Buffer.alloc(36)
  for (let i = 0; i < 9; i++) positions.writeFloatLE(((s[i] ?? 0) / 255) * 2 - 1, i * 4)
  const min = [0, 1, 2].map((axis) => Math.min(...[0, 1, 2].map((v) => positions.readFloatLE((v * 3 + axis) * 4))))
  const max = [0, 1, 2].map((axis) => Math.max(...[0, 1, 2].map((v) => positions.readFloatLE((v * 3 + axis) * 4))))
  const json = {
    asset: { version: '2.0', generator: 'goapi-mock' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    buffers: [{ byteLength: positions.length }],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: positions.length }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min, max }],
  }
  const jsonChunk = pad(Buffer.from(JSON.stringify(json)), 0x20)
  const binChunk = pad(positions, 0)
  const chunkHeader = (length: number, type: number) => {
    const b = Buffer.alloc(8)
    b.writeUInt32LE(length, 0)
    b.writeUInt32LE(type, 4)
    return b
  }
  const total = 12 + 8 + jsonChunk.length + 8 + binChunk.length
  const header = Buffer.alloc(12)
  header.writeUInt32LE(0x46546c67, 0) // 'glTF'
  header.writeUInt32LE(2, 4)
  header.writeUInt32LE(total, 8)
  return Buffer.concat([
    header,
    chunkHeader(jsonChunk.length, 0x4e4f534a),
    jsonChunk,
    chunkHeader(binChunk.length, 0x004e4942),
    binChunk,
  ])
}
