import type { EvalProblem } from '../datasets/problem';
import type { TaskTokens } from '../run/task-result';
import { estimateTokens, taskFor, type CodeSource, type Generation } from './code-source';
import type { ToolClient } from './tool-client';

interface GenerateCodeResult {
  code?: unknown;
  explanation?: unknown;
  verification?: { status?: unknown; rounds?: unknown };
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
}

/** generate_code's own token counts (all rounds) when the model server reported them; else chars/4. */
function tokensOf(result: GenerateCodeResult, code: string, explanation: string): TaskTokens {
  const { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total } = result.usage ?? {};
  if (typeof prompt === 'number' && typeof completion === 'number' && typeof total === 'number')
    return { prompt, completion, total, estimated: false };
  return estimateTokens(code + explanation);
}

export interface GatewaySourceOptions {
  /** `verified`: send the docstring's examples as `tests` so generate_code runs and repairs against them */
  verified: boolean;
  /** generate_code's `max_repair_rounds` (its default when unset) */
  maxRepairRounds?: number;
}

/** The gateway's own "no usable code" error (INVALID_RESPONSE) is an unusable answer, not an outage. */
const NO_CODE_ERROR = /INVALID_RESPONSE|no usable code/;

function since(start: number): number {
  return Math.round(performance.now() - start);
}

/** `direct` and `verified`: one `generate_code` call per problem, through the gateway. */
export class GatewayCodeSource implements CodeSource {
  readonly mode;

  constructor(
    private readonly tools: ToolClient,
    private readonly options: GatewaySourceOptions,
  ) {
    this.mode = options.verified ? ('verified' as const) : ('direct' as const);
  }

  async generate(problem: EvalProblem, signal: AbortSignal): Promise<Generation> {
    const start = performance.now();
    const outcome = await this.tools.callTool('generate_code', this.argumentsFor(problem), signal);
    if (!outcome.ok) {
      const status = NO_CODE_ERROR.test(outcome.error) ? 'no_code' : 'model_error';
      return { ok: false, status, detail: outcome.error, latencyMs: since(start) };
    }
    return this.toGeneration(outcome.structured as GenerateCodeResult, since(start), problem);
  }

  private argumentsFor(problem: EvalProblem): Record<string, unknown> {
    const args: Record<string, unknown> = { task: taskFor(problem), language: problem.language };
    if (!this.options.verified || problem.exampleTests === undefined) return args;
    args.tests = problem.exampleTests;
    if (this.options.maxRepairRounds !== undefined) args.max_repair_rounds = this.options.maxRepairRounds;
    return args;
  }

  private toGeneration(result: GenerateCodeResult, latencyMs: number, problem: EvalProblem): Generation {
    const code = typeof result.code === 'string' ? result.code : '';
    const explanation = typeof result.explanation === 'string' ? result.explanation : '';
    const tokens = tokensOf(result, code, explanation);
    if (code.trim() === '')
      return { ok: false, status: 'no_code', detail: 'generate_code returned empty code', latencyMs, tokens };
    const verification = this.verificationOf(result, problem);
    const rounds = typeof result.verification?.rounds === 'number' ? result.verification.rounds : undefined;
    return { ok: true, code, latencyMs, tokens, verification, rounds };
  }

  private verificationOf(result: GenerateCodeResult, problem: EvalProblem): string | undefined {
    if (this.mode !== 'verified') return undefined;
    if (problem.exampleTests === undefined) return 'no_examples';
    const status = result.verification?.status;
    return typeof status === 'string' ? status : 'not_run';
  }
}
