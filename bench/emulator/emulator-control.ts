import { join } from 'node:path';
import { startNode, type NodeChild } from '../support/processes';
import type { EmulatorCommand, EmulatorMessage, UpstreamStats } from './emulator-process';
import type { EmulatorMode } from './replies';

/** The parent's handle on the emulator child process. */
export class EmulatorControl {
  private nextId = 1;

  private constructor(
    private readonly process: NodeChild,
    readonly url: string,
  ) {}

  static async start(): Promise<EmulatorControl> {
    const child = startNode(join(__dirname, 'emulator-process.js'), [], { ...process.env });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`emulator did not start\n${child.stderr()}`)), 15_000);
      child.child.once('message', (message: EmulatorMessage) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message.url);
      });
      child.child.once('exit', () => reject(new Error(`emulator exited\n${child.stderr()}`)));
    });
    return new EmulatorControl(child, url);
  }

  get pid(): number {
    return this.process.pid;
  }

  /** Switches the emulated model's behaviour (and restarts its stats); resolves once the child applied it. */
  setMode(mode: EmulatorMode): Promise<UpstreamStats> {
    return this.send({ id: this.nextId++, type: 'mode', mode });
  }

  /** What the upstream saw since the last call of this or `setMode`. */
  takeStats(): Promise<UpstreamStats> {
    return this.send({ id: this.nextId++, type: 'stats' });
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  private send(command: EmulatorCommand): Promise<UpstreamStats> {
    const child = this.process.child;
    return new Promise((resolve) => {
      const onMessage = (message: EmulatorMessage) => {
        if (message.type !== 'ack' || message.id !== command.id) return;
        child.off('message', onMessage);
        resolve(message.stats);
      };
      child.on('message', onMessage);
      child.send(command);
    });
  }
}
