/** What shutdown needs from the process; tests pass a fake instead of sending real signals. */
export interface ShutdownHost {
  onSignal(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
  exit(code: number): void;
}

const processHost: ShutdownHost = {
  // `process.on`, not `once`: node-llama-cpp loads `signal-exit`, which re-raises a signal when it sees no
  // other listener — with `once` the drain would be cut short.
  onSignal: (signal, handler) => void process.on(signal, handler),
  exit: (code) => process.exit(code),
};

/**
 * Runs `stop` once, whoever asks first — SIGTERM, SIGINT or the returned trigger (stdio: the client closing
 * stdin) — then exits 0, or 1 when stopping failed. A signal while stopping exits at once.
 */
export function shutdownOnce(stop: () => Promise<void>, host: ShutdownHost = processHost): () => void {
  let started = false;
  const begin = (): boolean => {
    if (started) return false;
    started = true;
    stop().then(
      () => host.exit(0),
      () => host.exit(1),
    );
    return true;
  };
  const onSignal = (): void => {
    if (!begin()) host.exit(1);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) host.onSignal(signal, onSignal);
  return () => void begin();
}
