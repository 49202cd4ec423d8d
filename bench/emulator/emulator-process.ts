/**
 * Child-process entry: the model-server emulator in its own process, so the load generator and the servers
 * under test do not share its event loop. The parent switches its behaviour with IPC messages and reads what
 * the upstream saw (peak concurrency, arrival spread) to tell a pool limit from a slow dispatch.
 */
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { handlerFor, INSTANT, type EmulatorMode } from './replies';

/** What the emulated upstream saw since the last `mode` or `stats` command. */
export interface UpstreamStats {
  requests: number;
  /** most generation requests in flight at once */
  peakInFlight: number;
  /** ms between the first and the last generation request's arrival */
  arrivalSpreadMs: number;
}

export type EmulatorCommand =
  { id: number; type: 'mode'; mode: EmulatorMode } | { id: number; type: 'stats' };
export type EmulatorMessage =
  { type: 'ready'; url: string } | { type: 'ack'; id: number; stats: UpstreamStats };

class StatsRecorder {
  private requests = 0;
  private peak = 0;
  private first = 0;
  private last = 0;

  record(inFlight: number): void {
    const now = performance.now();
    if (this.requests === 0) this.first = now;
    this.requests += 1;
    this.last = now;
    this.peak = Math.max(this.peak, inFlight);
  }

  /** the stats so far, then a fresh start */
  take(): UpstreamStats {
    const stats = {
      requests: this.requests,
      peakInFlight: this.peak,
      arrivalSpreadMs: this.last - this.first,
    };
    this.requests = 0;
    this.peak = 0;
    return stats;
  }
}

function apply(emulator: ModelServerEmulator, recorder: StatsRecorder, mode: EmulatorMode): void {
  const handler = handlerFor(mode);
  emulator.setHandler((request) => {
    recorder.record(emulator.inFlight);
    return handler(request);
  });
}

async function main(): Promise<void> {
  const emulator = await startModelServerEmulator({ record: false });
  const recorder = new StatsRecorder();
  apply(emulator, recorder, INSTANT);
  process.on('message', (command: EmulatorCommand) => {
    const stats = recorder.take();
    if (command.type === 'mode') apply(emulator, recorder, command.mode);
    process.send?.({ type: 'ack', id: command.id, stats } satisfies EmulatorMessage);
  });
  process.on('disconnect', () => void emulator.close().then(() => process.exit(0)));
  process.once('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
  process.send?.({ type: 'ready', url: emulator.url } satisfies EmulatorMessage);
}

void main();
