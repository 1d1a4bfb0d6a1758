// Differential privacy for PPFM: the Gaussian mechanism on model differences, its Rényi-DP
// accountant, and noise on published fingerprints. See docs/privacy.md.
export {
  clipAndNoise,
  noiseShare,
  secureNormals,
  type ClipNoiseOptions,
  type ClipNoiseResult,
  type NormalSource,
} from './clip-noise.js';
export {
  gaussianRdp,
  INTEGER_ORDERS,
  linearRdpToEpsilon,
  rdpOrderToEpsilon,
  rdpToEpsilon,
  sampledGaussianRdp,
} from './rdp.js';
export {
  calibrateSigma,
  epsilonOf,
  gaussianEpsilon,
  PrivacyAccountant,
  type AccountantOptions,
  type AccountantSnapshot,
  type GaussianRelease,
} from './accountant.js';
export { noiseFingerprint } from './fingerprint-noise.js';
