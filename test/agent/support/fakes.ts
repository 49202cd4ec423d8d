import { TOOL_CONTRACTS, TOOL_NAMES, type ToolDefinition } from '@app/contracts';
import type {
  EndpointHealth,
  GenerationRequest,
  GenerationResult,
  ModelClient,
  ToolCall,
} from '@app/inference';
import type {
  ToolCallOptions,
  ToolGateway,
  ToolObservation,
  ToolSession,
} from '../../../apps/agent/src/tools/tool-gateway';

export type PlannerReply =
  | {
      text?: string;
      toolCalls?: ToolCall[];
      usage?: GenerationResult['usage'];
      delayMs?: number;
      finishReason?: GenerationResult['finishReason'];
    }
  | 'hang';

/** The three real tool contracts as `tools/list` describes them. */
export const CONTRACT_TOOLS: ToolDefinition[] = TOOL_NAMES.map((name) => ({
  name,
  description: TOOL_CONTRACTS[name].description,
  parameters: TOOL_CONTRACTS[name].inputJsonSchema,
}));

export function textCall(tool: string, args: Record<string, unknown>): PlannerReply {
  return { text: JSON.stringify({ tool, arguments: args }) };
}

export function nativeCall(tool: string, args: Record<string, unknown>, id = 'call00001'): PlannerReply {
  return { text: '', toolCalls: [{ id, name: tool, arguments: JSON.stringify(args) }] };
}

function waitForAbort(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) =>
    signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
  );
}

/** A planner that answers from a script (then repeats `fallback`) and records every request. */
export class FakePlanner implements ModelClient {
  readonly role = 'planner';
  readonly requests: GenerationRequest[] = [];
  /** what `contextWindow()` reports (undefined: the planner cannot tell, like most HTTP servers) */
  window: number | undefined;
  private readonly script: PlannerReply[];

  constructor(
    script: PlannerReply[],
    readonly protocol: ModelClient['protocol'] = 'local-models',
    private readonly fallback: PlannerReply = {
      text: '{"tool":"final_answer","arguments":{"answer":"done"}}',
    },
  ) {
    this.script = [...script];
  }

  get capabilities() {
    const embedded = this.protocol === 'embedded';
    return { streaming: false, structuredOutput: embedded, nativeTools: this.protocol === 'openai-chat' };
  }

  contextWindow(): Promise<number | undefined> {
    return Promise.resolve(this.window);
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    this.requests.push(request);
    const reply = this.script.shift() ?? this.fallback;
    if (reply === 'hang') return waitForAbort(request.signal);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    return {
      text: reply.text ?? '',
      toolCalls: reply.toolCalls ?? [],
      finishReason: reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop'),
      usage: reply.usage,
      model: 'fake-mistral',
      endpoint: 'fake://planner',
      attempts: 1,
      timings: { firstTokenMs: 1, totalMs: 1 },
    };
  }

  stream(): AsyncIterable<never> {
    throw new Error('not used');
  }

  async checkHealth(): Promise<EndpointHealth> {
    return { role: 'planner', protocol: this.protocol, state: 'up', replicas: [] };
  }

  async close(): Promise<void> {}
}

export type ToolHandler = (
  args: Record<string, unknown>,
  signal: AbortSignal,
) => ToolObservation | Promise<ToolObservation>;

export const SAMPLE_SPEC = {
  title: 'Add two numbers',
  summary: 'A function add(a, b) returning a + b.',
  requirements: ['returns the sum'],
  acceptance_criteria: ['add(2, 3) == 5'],
  constraints: [],
  assumptions: [],
  open_questions: [],
};
export const SAMPLE_CODE = {
  language: 'python',
  code: 'def add(a, b):\n    return a + b\n',
  explanation: 'Adds.',
};
export const SAMPLE_REVIEW = { summary: 'Correct.', verdict: 'approve', score: 9, issues: [] };

export const DEFAULT_HANDLERS: Record<string, ToolHandler> = {
  formalize_task: () => ({ ok: true, structured: SAMPLE_SPEC, text: JSON.stringify(SAMPLE_SPEC) }),
  generate_code: () => ({ ok: true, structured: SAMPLE_CODE, text: JSON.stringify(SAMPLE_CODE) }),
  review_code: () => ({ ok: true, structured: SAMPLE_REVIEW, text: JSON.stringify(SAMPLE_REVIEW) }),
};

/** An in-memory tool gateway with the real contracts; records calls. */
export class FakeToolGateway implements ToolGateway {
  readonly calls: Array<{ name: string; args: Record<string, unknown> }> = [];
  connects = 0;
  closes = 0;
  failConnect?: Error;

  constructor(private readonly handlers: Record<string, ToolHandler> = DEFAULT_HANDLERS) {}

  async connect(): Promise<ToolSession> {
    if (this.failConnect) throw this.failConnect;
    this.connects += 1;
    return {
      tools: CONTRACT_TOOLS,
      call: (name: string, args: Record<string, unknown>, options: ToolCallOptions) =>
        this.call(name, args, options),
      close: async () => {
        this.closes += 1;
      },
    };
  }

  describe(): string {
    return 'fake://gateway';
  }

  async ping(): Promise<void> {
    if (this.failConnect) throw this.failConnect;
  }

  private async call(
    name: string,
    args: Record<string, unknown>,
    options: ToolCallOptions,
  ): Promise<ToolObservation> {
    this.calls.push({ name, args });
    const handler = this.handlers[name];
    if (!handler) return { ok: false, error: `unknown tool ${name}` };
    return handler(args, options.signal);
  }
}
