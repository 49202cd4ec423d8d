/**
 * Child-process entry: the model-server emulator in its own process, so the load generator and the servers
 * under test do not share its event loop. The parent switches its behaviour with IPC messages.
 */
import { startModelServerEmulator } from '@app/testing';
import { handlerFor, INSTANT, type EmulatorMode } from './replies';

export type EmulatorCommand =
  { id: number; type: 'mode'; mode: EmulatorMode } | { id: number; type: 'stats' };
export type EmulatorMessage =
  { type: 'ready'; url: string } | { type: 'ack'; id: number; completed?: number; aborted?: number };

async function main(): Promise<void> {
  const emulator = await startModelServerEmulator({ record: false, handler: handlerFor(INSTANT) });
  process.on('message', (command: EmulatorCommand) => {
    if (command.type === 'mode') emulator.setHandler(handlerFor(command.mode));
    const ack: EmulatorMessage = {
      type: 'ack',
      id: command.id,
      completed: emulator.completedCount,
      aborted: emulator.abortedCount,
    };
    process.send?.(ack);
  });
  process.on('disconnect', () => void emulator.close().then(() => process.exit(0)));
  process.once('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
  process.send?.({ type: 'ready', url: emulator.url } satisfies EmulatorMessage);
}

void main();
