// Entry of the learning worker thread: builds a LearnerCore on `init` and answers calls one at a
// time, in order (tfjs models are shared state; the core's calls are not reentrant).
import { parentPort } from 'node:worker_threads';
import { createCore, type EngineCore } from './core.js';
import { transferables, type WorkerRequest, type WorkerResponse } from './messages.js';

const port = parentPort;
if (port === null) throw new Error('worker-main must run in a worker thread');

let core: EngineCore | undefined;
let chain: Promise<void> = Promise.resolve();

async function handle(req: WorkerRequest): Promise<unknown> {
  if (req.op === 'init') {
    core = await createCore(req.args);
    return core.info;
  }
  if (core === undefined) throw new Error('learner not initialised');
  switch (req.op) {
    case 'train':
      return core.trainFrom(req.args.theta, req.args.seed);
    case 'warmup':
      return core.warmup(req.args.init, req.args.seed);
    case 'evaluate':
      return core.evaluate(req.args.weights, req.args.split);
    case 'personalise':
      return core.personalise(req.args.theta, req.args.seed);
    case 'headRound':
      return core.headRound(req.args);
    case 'augment':
      return core.augment(req.args);
    case 'share':
      return core.share(req.args);
  }
}

port.on('message', (req: WorkerRequest) => {
  chain = chain.then(async () => {
    let res: WorkerResponse;
    try {
      res = { id: req.id, ok: true, value: await handle(req) };
    } catch (err) {
      res = {
        id: req.id,
        ok: false,
        error: (err as Error)?.message ?? String(err),
        ...(err instanceof Error ? { name: err.name } : {}),
      };
    }
    port.postMessage(res, res.ok ? transferables(res.value) : []);
  });
});
