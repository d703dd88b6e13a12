/**
 * Task identity (DESIGN.md 3):
 * - id:   `Family(name=value, ...)` over significant parameters in declaration order;
 * - hash: 16 hex digits of SHA-256 over the family and the canonical values, stable everywhere;
 * - path: `name=value/...` with values escaped so that they are safe on a local disk, S3 and HDFS.
 */
import { hash as digest } from 'node:crypto';

/** Names and canonical values of the significant parameters, in declaration order. */
export interface CanonicalParams {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

export function taskId(family: string, params: CanonicalParams): string {
  let inner = '';
  for (let i = 0; i < params.names.length; i++) {
    if (i > 0) inner += ', ';
    inner += params.names[i] + '=' + idValue(params.values[i]!);
  }
  return family + '(' + inner + ')';
}

/**
 * Names are identifiers, so only a value holding the separator ", " (or starting with a quote)
 * could make two tasks print alike; such a value is written as a JSON string.
 */
function idValue(value: string): string {
  return value.includes(', ') || value.startsWith('"') ? JSON.stringify(value) : value;
}

/** NUL cannot occur in names or values (control characters are rejected), so this is unambiguous. */
export function taskHash(family: string, params: CanonicalParams): string {
  let text = family;
  for (let i = 0; i < params.names.length; i++) {
    text += '\0' + params.names[i] + '\0' + params.values[i];
  }
  return digest('sha256', text).slice(0, 16);
}

const SAFE = /^[A-Za-z0-9._,-]*$/;
const ONLY_DOTS = /^\.+$/;

/**
 * Keeps `A-Z a-z 0-9 . _ , -` and percent-encodes every other UTF-8 byte, so the result never
 * holds `/`, `:`, `%`-ambiguity or control characters; a value made only of dots is encoded too.
 * The mapping is injective: distinct values give distinct segments.
 */
export function escapeSegment(value: string): string {
  if (SAFE.test(value) && !ONLY_DOTS.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    const keep = byte < 0x80 && /[A-Za-z0-9_,-]/.test(char);
    out +=
      keep || (char === '.' && !ONLY_DOTS.test(value))
        ? char
        : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function paramPath(params: CanonicalParams): string {
  let path = '';
  for (let i = 0; i < params.names.length; i++) {
    if (i > 0) path += '/';
    path += params.names[i] + '=' + escapeSegment(params.values[i]!);
  }
  return path;
}
