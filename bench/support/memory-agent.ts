/**
 * Preloaded into the server processes under test (`node --expose-gc --require memory-agent.js …`), without
 * touching their code: answers `{type:'memory-probe'}` IPC messages with the CPU time used so far (a per-call
 * cost that the noise of a shared machine hardly moves) and, when asked, the memory after a full GC (so a leak
 * is told apart from garbage not yet collected). Stops the server when the bench goes away.
 */
export interface MemoryProbe {
  type: 'memory-probe';
  id: number;
  gc: boolean;
}

export interface MemoryReport {
  type: 'memory';
  id: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** heap pages V8 keeps committed (RSS counts them even when they are empty) */
  heapTotalMiB: number;
  /** memory outside the JS heap that V8 knows of (Buffers, ArrayBuffers) */
  externalMiB: number;
  /** user + system CPU time of the process so far */
  cpuMicros: number;
}

const MIB = 1024 * 1024;

function isProbe(message: unknown): message is MemoryProbe {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'memory-probe'
  );
}

process.on('message', (message: unknown) => {
  if (!isProbe(message)) return;
  const cpu = process.cpuUsage();
  if (message.gc) (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  const report: MemoryReport = {
    type: 'memory',
    id: message.id,
    rssMiB: usage.rss / MIB,
    heapUsedMiB: usage.heapUsed / MIB,
    heapTotalMiB: usage.heapTotal / MIB,
    externalMiB: usage.external / MIB,
    cpuMicros: cpu.user + cpu.system,
  };
  process.send?.(report);
});

// An orphaned server would outlive a crashed bench: a graceful stop once the IPC channel closes.
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
