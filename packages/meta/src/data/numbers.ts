/** Strict parsing of one numeric feature value from text. */
import { DataError, type DataErrorLocation } from './dataset.js';

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/** Parses a feature value; rejects empty, non-numeric and non-finite text with a located DataError. */
export function parseFeature(text: string, where: DataErrorLocation): number {
  const t = text.trim();
  if (t === '') throw new DataError('empty value where a number is expected', where);
  const v = Number(t);
  if (Number.isNaN(v) && !NON_FINITE.test(t)) {
    throw new DataError(`non-numeric value ${quoteCell(text)}`, where);
  }
  if (!Number.isFinite(v)) throw new DataError(`non-finite value ${quoteCell(text)} (NaN/Infinity)`, where);
  return v;
}

/** Checks a JSON value is a finite number. */
export function checkFeature(v: unknown, where: DataErrorLocation): number {
  if (typeof v !== 'number')
    throw new DataError(`non-numeric value ${quoteCell(JSON.stringify(v) ?? String(v), false)}`, where);
  if (!Number.isFinite(v)) throw new DataError(`non-finite value ${v}`, where);
  return v;
}

/** A cell for an error message: JSON-quoted (unless `quote` is false) and cut to 40 characters. */
export function quoteCell(text: string, quote = true): string {
  const cut = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return quote ? JSON.stringify(cut) : cut;
}
