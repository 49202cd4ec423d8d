import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { RunStatus } from '../core/agent.types';

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** Query of `GET /v1/runs`: `status`, `limit` (1–100, default 20), `cursor` (the previous page's `next_cursor`). */
export class ListRunsQuery {
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: RunStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @Matches(/^\d{1,16}$/, { message: 'cursor must be the next_cursor of a previous page' })
  cursor?: string;
}
