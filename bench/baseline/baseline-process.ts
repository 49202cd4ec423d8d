/**
 * Child-process entry of the baseline server: `node baseline-process.js <upstream url> [v2]` (v2: the bare
 * SDK v2 `createMcpHandler` server instead of the SDK v1 sessions). Reports its URL
 * over IPC, answers `{type:'sessions'}` with the open-session count, stops on SIGTERM or parent exit.
 */
import { createModelClient } from '@app/inference';
import { startBaselineServer } from './baseline-server';
import { startBaselineV2Server } from './baseline-v2-server';

export type BaselineMessage = { type: 'ready'; url: string } | { type: 'sessions'; open: number };

async function main(): Promise<void> {
  const upstream = process.argv[2];
  if (upstream === undefined) throw new Error('usage: baseline-process <upstream url>');
  const model = createModelClient({ role: 'code', urls: [upstream], protocol: 'auto' });
  const server = await (process.argv[3] === 'v2' ? startBaselineV2Server(model) : startBaselineServer(model));
  const stop = () => void Promise.all([server.close(), model.close()]).finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.on('disconnect', stop);
  process.on('message', () =>
    process.send?.({ type: 'sessions', open: server.openSessions() } satisfies BaselineMessage),
  );
  process.send?.({ type: 'ready', url: server.url } satisfies BaselineMessage);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
