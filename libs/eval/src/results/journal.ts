import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TaskResult } from '../run/task-result';
import type { RunHeader } from './eval-results';

type JournalLine = ({ type: 'header' } & RunHeader) | ({ type: 'task' } & TaskResult);

/**
 * The run as JSON Lines, one line appended (synchronously) per finished task: a crash or Ctrl-C keeps
 * every finished task, and `--resume` continues from it. A torn last line (killed mid-write) is skipped.
 */
export class ResultJournal {
  constructor(readonly path: string) {}

  /** A new run: the file is (re)created with the header line. */
  start(header: RunHeader): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, `${JSON.stringify({ type: 'header', ...header })}\n`);
  }

  record(result: TaskResult): void {
    this.append({ type: 'task', ...result });
  }

  private append(line: JournalLine): void {
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
}

export interface JournalContents {
  header: RunHeader;
  tasks: TaskResult[];
}

function parseLines(text: string): JournalLine[] {
  const lines: JournalLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      lines.push(JSON.parse(raw) as JournalLine);
    } catch {
      // a line torn by a crash mid-write: that task simply runs again
    }
  }
  return lines;
}

/** The header and the finished tasks (the last result wins if a task appears twice). */
export function readJournal(path: string): JournalContents {
  if (!existsSync(path)) throw new Error(`${path}: no such results journal to resume`);
  const lines = parseLines(readFileSync(path, 'utf8'));
  const first = lines[0];
  if (first?.type !== 'header') throw new Error(`${path}: not a results journal (no header line)`);
  const { type: _type, ...header } = first;
  const tasks = new Map<string, TaskResult>();
  for (const line of lines) {
    if (line.type !== 'task') continue;
    const { type: _t, ...task } = line;
    tasks.set(task.task_id, task);
  }
  return { header, tasks: [...tasks.values()] };
}
