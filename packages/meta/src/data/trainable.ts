/** The checks a loaded dataset must pass before a peer trains on it: enough classes and samples. */
import { DataError, type Dataset } from './dataset.js';

/**
 * Fewest samples a peer accepts. A peer holds out a fifth (config valFraction 0.2) to measure its
 * personalised accuracy; with 10 samples that is 2 held-out and 8 training samples, below that a
 * single sample decides between 0 % and 100 %.
 */
export const MIN_SAMPLES = 10;

/**
 * Throws a DataError naming `file` when `ds` cannot train a classifier: fewer than 2 classes, fewer than
 * MIN_SAMPLES samples, or a single class present while the classes were not declared (ppfm.json
 * numClasses/classNames, which a peer holding one class of a larger task must give).
 */
export function checkTrainable(ds: Dataset, file: string, declaredClasses: boolean): Dataset {
  const n = ds.y.length;
  if (ds.numClasses < 2) {
    const name = ds.classNames?.[0] !== undefined ? ` (${JSON.stringify(ds.classNames[0])})` : '';
    throw new DataError(`only one class${name}: a classifier needs at least 2`, { file });
  }
  if (!declaredClasses) {
    const first = ds.y[0] as number;
    if (ds.y.every((v) => v === first)) {
      const label = ds.classNames?.[first] ?? String(first);
      throw new DataError(
        `all ${n} labels are ${JSON.stringify(label)}: a classifier needs at least 2 classes (a peer holding one class of a larger task declares "numClasses" or "classNames" in ppfm.json)`,
        { file },
      );
    }
  }
  if (n < MIN_SAMPLES) {
    throw new DataError(
      `only ${n} sample${n === 1 ? '' : 's'}: a peer needs at least ${MIN_SAMPLES} (a fifth is held out to measure accuracy)`,
      { file },
    );
  }
  return ds;
}
