/**
 * Small non-cryptographic hashes: FNV-1a (32-bit) for model sources and trace fingerprints, and
 * CRC-32 (IEEE 802.3 polynomial) for detecting corrupted replay tokens.
 * Leaves out: anything collision-resistant; these guard against accidents, not adversaries.
 */

/** FNV-1a over the UTF-16 code units of a string, as an unsigned 32-bit integer. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Fold one integer into a running FNV-1a hash (for per-step trace fingerprints). */
export function fnvMix(h: number, v: number): number {
  h ^= v & 0xff;
  h = Math.imul(h, 0x01000193);
  h ^= (v >>> 8) & 0xff;
  h = Math.imul(h, 0x01000193);
  h ^= (v >>> 16) & 0xffff;
  return Math.imul(h, 0x01000193) >>> 0;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 of a byte array. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = (crcTable[(crc ^ b) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
