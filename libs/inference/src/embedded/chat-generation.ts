import { performance } from 'node:perf_hooks';
import type {
  ChatHistoryItem,
  GbnfJsonSchema,
  LLamaChatGenerateResponseOptions,
  LlamaChatResponse,
  LlamaGrammar,
} from 'node-llama-cpp';
import { InferenceError } from '../inference.errors';
import type { FinishReason, GenerationRequest, GenerationResult, ModelRole } from '../inference.types';
import { toChatHistory } from './chat-history';
import { cancelled } from './deadline';
import { toGrammarSchema } from './json-schema-grammar';
import type { LoadedModel } from './model-registry';

/** Without a limit a model that never emits end-of-sequence would fill the whole context. */
export const DEFAULT_MAX_TOKENS = 2048;

type StopReason = LlamaChatResponse['metadata']['stopReason'];

const FINISH_REASONS: Record<StopReason, FinishReason> = {
  eogToken: 'stop',
  stopGenerationTrigger: 'stop',
  customStopTrigger: 'stop',
  functionCalls: 'tool_calls',
  maxTokens: 'length',
  abort: 'cancelled',
};

/** Where a generation runs, as its result and its errors name it. */
export interface GenerationSite {
  role: ModelRole;
  /** `embedded:<model path>` */
  endpoint: string;
  /** the model's name in results (its file name without `.gguf`) */
  model: string;
}

interface GenerationProgress {
  completionTokens: number;
  firstTokenAt: number | undefined;
}

/**
 * One chat generation on a loaded model, run when the queue gives this request its turn. `started` is
 * when the caller asked (queueing and loading count in the timings).
 */
export async function generateOnModel(
  loaded: LoadedModel,
  request: GenerationRequest,
  site: GenerationSite,
  started: number,
): Promise<GenerationResult> {
  request.signal?.throwIfAborted();
  const history = toChatHistory(request.messages);
  const promptTokens = countPromptTokens(loaded, history, site);
  // the answer may only use what the prompt left of the context: clipped, it ends with "length"
  const room = loaded.context.contextSize - promptTokens;
  const maxTokens = Math.min(request.maxTokens ?? DEFAULT_MAX_TOKENS, room);
  const grammar =
    request.jsonSchema === undefined ? undefined : await compiledGrammar(loaded, request.jsonSchema.schema);
  const progress: GenerationProgress = { completionTokens: 0, firstTokenAt: undefined };
  const response = await loaded.chat.generateResponse(
    [...history],
    generationOptions({ ...request, maxTokens }, grammar, progress),
  );
  if (request.signal?.aborted) throw cancelled(request.signal, progress.completionTokens > 0);
  return toResult(response, { promptTokens, progress, site, started });
}

function toResult(
  response: LlamaChatResponse,
  run: { promptTokens: number; progress: GenerationProgress; site: GenerationSite; started: number },
): GenerationResult {
  const { promptTokens, site, started } = run;
  const { completionTokens, firstTokenAt } = run.progress;
  return {
    text: response.response,
    toolCalls: [],
    finishReason: FINISH_REASONS[response.metadata.stopReason],
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    model: site.model,
    endpoint: site.endpoint,
    attempts: 1,
    timings: {
      firstTokenMs: (firstTokenAt ?? performance.now()) - started,
      totalMs: performance.now() - started,
    },
  };
}

/**
 * Prompt tokens as the model sees them (the history rendered by its chat template). A prompt that
 * does not fit the context cannot be answered at all: say which setting to raise instead of letting
 * llama.cpp fail inside its context shift.
 */
function countPromptTokens(loaded: LoadedModel, history: ChatHistoryItem[], site: GenerationSite): number {
  const chatHistory: ChatHistoryItem[] = [...history, { type: 'model', response: [] }];
  const rendered = loaded.chat.chatWrapper.generateContextState({ chatHistory });
  const promptTokens = rendered.contextText.tokenize(loaded.model.tokenizer).length;
  const contextSize = loaded.context.contextSize;
  if (promptTokens < contextSize) return promptTokens;
  const trained = loaded.model.trainContextSize;
  const fix =
    contextSize >= trained
      ? `that is this model's limit (its training context; EMBEDDED_CONTEXT_SIZE cannot go beyond it): shorten the input`
      : `raise EMBEDDED_CONTEXT_SIZE (this model supports up to ${trained}) or shorten the input`;
  throw new InferenceError(
    'CONFIG',
    `The prompt needs ${promptTokens} tokens but the embedded context holds ${contextSize}: ${fix}`,
    { role: site.role, endpoint: site.endpoint },
  );
}

/** Request → node-llama-cpp options; `stopOnAbortSignal` keeps the sequence usable after a cancel. */
function generationOptions(
  request: GenerationRequest,
  grammar: LlamaGrammar | undefined,
  progress: GenerationProgress,
): LLamaChatGenerateResponseOptions {
  return {
    ...(grammar === undefined ? {} : { grammar }),
    ...(request.signal === undefined ? {} : { signal: request.signal, stopOnAbortSignal: true }),
    maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: request.temperature ?? 0,
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { customStopTriggers: request.stop }),
    onToken: (tokens) => {
      progress.firstTokenAt ??= performance.now();
      progress.completionTokens += tokens.length;
    },
    onTextChunk: (text) => request.onToken?.(text),
  };
}

/** One grammar per schema and model, compiled once (a failed compile is forgotten, so it can be retried). */
function compiledGrammar(loaded: LoadedModel, schema: Record<string, unknown>): Promise<LlamaGrammar> {
  const key = JSON.stringify(schema);
  let grammar = loaded.grammars.get(key);
  if (grammar === undefined) {
    grammar = loaded.llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(schema));
    loaded.grammars.set(key, grammar);
    grammar.catch(() => loaded.grammars.delete(key));
  }
  return grammar;
}
