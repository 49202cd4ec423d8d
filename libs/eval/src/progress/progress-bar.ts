import { STATUS_LABELS, type TaskResult, type TaskStatus } from '../run/task-result';

export interface ProgressOptions {
  total: number;
  /** already finished (a resumed run): counted, not timed */
  done?: readonly TaskResult[];
  write: (text: string) => void;
  /** redraw one line in place (a TTY); otherwise print a line every `lineEveryMs` */
  interactive: boolean;
  lineEveryMs?: number;
  now?: () => number;
}

const BAR_WIDTH = 24;

function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

/** Progress on stderr: the bar, pass count so far, ETA and failures by reason. */
export class ProgressBar {
  private finished = 0;
  private passed = 0;
  private readonly failures = new Map<TaskStatus, number>();
  private readonly startedAt: number;
  private timedFinished = 0;
  private lastLineAt = 0;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    for (const task of options.done ?? []) this.count(task);
  }

  update(result: TaskResult): void {
    this.count(result);
    this.timedFinished++;
    const last = this.finished === this.options.total;
    if (this.options.interactive) this.options.write(`\r${this.line()}\u001b[K${last ? '\n' : ''}`);
    else if (last || this.now() - this.lastLineAt >= (this.options.lineEveryMs ?? 5_000)) {
      this.lastLineAt = this.now();
      this.options.write(`${this.line()}\n`);
    }
  }

  /** Ends an in-place line so what follows starts on its own line. */
  finish(): void {
    if (this.options.interactive && this.finished < this.options.total) this.options.write('\n');
  }

  line(): string {
    const { total } = this.options;
    const filled = total === 0 ? BAR_WIDTH : Math.round((this.finished / total) * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const share = this.finished === 0 ? '' : ` (${((this.passed / this.finished) * 100).toFixed(1)}%)`;
    return `${bar} ${this.finished}/${total} · passed ${this.passed}${share} · ETA ${this.eta()}${this.failureText()}`;
  }

  private count(result: TaskResult): void {
    this.finished++;
    if (result.passed) this.passed++;
    else this.failures.set(result.status, (this.failures.get(result.status) ?? 0) + 1);
  }

  private eta(): string {
    const remaining = this.options.total - this.finished;
    if (remaining <= 0) return clock(0);
    if (this.timedFinished === 0) return '?';
    return clock(((this.now() - this.startedAt) / this.timedFinished) * remaining);
  }

  private failureText(): string {
    const parts = [...this.failures].map(([status, count]) => `${STATUS_LABELS[status]} ${count}`);
    return parts.length === 0 ? '' : ` · ${parts.join(' · ')}`;
  }
}
