import type { Fingerprint } from '../fingerprint.js';
import type { FeatureMoments } from './scaler.js';

/** A fingerprint's input moments, as poolScaler takes them. */
export function momentsOf(fp: Fingerprint): FeatureMoments {
  return { count: fp.sampleCount, featureMean: fp.featureMean, featureStd: fp.featureStd };
}
