// The head's model update now lives in @ppfm/meta (src/ppfm/head-step.ts), shared with the
// simulator; re-exported here until the peer imports it from meta directly.
export { headStep, type HeadStepInput, type HeadStepResult, type HeadUpdate } from '@ppfm/meta';
