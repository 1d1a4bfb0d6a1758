/** Strict parsing of one numeric feature value from text. */
import { DataError, type DataErrorLocation } from './dataset.js';

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** Parses a feature value; rejects empty, non-numeric and non-finite text with a located DataError. */
export function parseFeature(text: string, where: DataErrorLocation): number {
  const t = text.trim();
  if (t === '') throw new DataError('empty value where a number is expected', where);
  const v = Number(t);
  if (Number.isNaN(v) && !NON_FINITE.test(t)) {
    throw new DataError(`non-numeric value ${JSON.stringify(text)}`, where);
  }
  if (!Number.isFinite(v))
    throw new DataError(`non-finite value ${JSON.stringify(text)} (NaN/Infinity)`, where);
  return v;
}

/** Checks a JSON value is a finite number. */
export function checkFeature(v: unknown, where: DataErrorLocation): number {
  if (typeof v !== 'number')
    throw new DataError(`non-numeric value ${JSON.stringify(v) ?? String(v)}`, where);
  if (!Number.isFinite(v)) throw new DataError(`non-finite value ${v}`, where);
  return v;
}
