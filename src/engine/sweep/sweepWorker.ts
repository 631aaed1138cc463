/** Worker-thread entry of the sweep pool: runs each job it is sent and posts the outcome back. */
import { parentPort } from 'node:worker_threads';
import { runSweepJob, type SweepJob } from './job.ts';

const port = parentPort;
if (!port) throw new Error('sweepWorker.ts runs only as a worker thread (see workerPool.ts)');
port.on('message', (job: SweepJob) => {
  void runSweepJob(job).then((outcome) => port.postMessage(outcome));
});
port.postMessage({ ready: true });
