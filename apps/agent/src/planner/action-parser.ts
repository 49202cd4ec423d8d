import { FINAL_ANSWER_TOOL } from '@app/prompts';
import type { PlannedAction, PlannerDecision } from '../core/agent.types';

const NAME_KEYS = ['tool', 'name', 'action', 'function', 'tool_name'] as const;
const ARGUMENT_KEYS = ['arguments', 'args', 'parameters', 'action_input', 'input', 'params'] as const;

type JsonObject = Record<string, unknown>;

/** Tool-call ids as Mistral's tokenizer wants them (9 alphanumerics), for calls the model wrote as text. */
export function newToolCallId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from({ length: 9 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of the last fenced block (```json … ```), which SWE-agent-style models put their action in. */
function lastFencedBlock(text: string): string | undefined {
  const blocks = [...text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)];
  return blocks.at(-1)?.[1]?.trim();
}

/** smolagents' rule: from the first `{` to the last `}`. */
function outermostBraces(text: string): string | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
}

/** The first complete `{…}` (string-aware), for replies that continue after the action with more braces. */
export function firstBalancedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') depth += 1;
    else if (char === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** Trailing commas are the most common JSON slip of small models; removing them changes nothing else. */
function withoutTrailingCommas(json: string): string {
  return json.replace(/,\s*([}\]])/g, '$1');
}

function parseJson(candidate: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(candidate) };
  } catch (error) {
    try {
      return { ok: true, value: JSON.parse(withoutTrailingCommas(candidate)) };
    } catch {
      return { ok: false, problem: `the action is not valid JSON (${(error as Error).message})` };
    }
  }
}

const PARAMETER_OPEN = '<parameter=';
const PARAMETER_CLOSE = '</parameter>';
const PARAMETER_NAME = /[\w.-]+>/y;

/**
 * `<parameter=key>value</parameter>` pairs, found with indexOf: the regex `<parameter=…>([\s\S]*?)</parameter>`
 * scanned to the end of the text from every unclosed tag (quadratic on a reply of many open tags).
 */
function parameterPairs(body: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let from = body.indexOf(PARAMETER_OPEN); from >= 0; from = body.indexOf(PARAMETER_OPEN, from)) {
    PARAMETER_NAME.lastIndex = from + PARAMETER_OPEN.length;
    const name = PARAMETER_NAME.exec(body)?.[0];
    if (name === undefined) {
      from += PARAMETER_OPEN.length;
      continue;
    }
    const valueStart = PARAMETER_NAME.lastIndex;
    const close = body.indexOf(PARAMETER_CLOSE, valueStart);
    if (close < 0) break; // no closing tag after this one: none of the later tags can close either
    pairs.push([name.slice(0, -1), body.slice(valueStart, close)]);
    from = close + PARAMETER_CLOSE.length;
  }
  return pairs;
}

/** OpenHands' `<function=name><parameter=key>value</parameter></function>` convention. */
function parseFunctionTag(text: string): PlannerDecision | undefined {
  const match = /<function=([\w.-]+)>([\s\S]*?)(?:<\/function>|$)/.exec(text);
  if (!match?.[1]) return undefined;
  const body = match[2] ?? '';
  const parameters = parameterPairs(body);
  if (parameters.length === 0 && body.includes('{'))
    return fromParsedValue({ tool: match[1], arguments: body.trim() });
  const args = Object.fromEntries(parameters.map(([key, value]) => [key, value.trim()]));
  return fromParsedValue({ tool: match[1], arguments: args });
}

function pickName(object: JsonObject): string | undefined {
  for (const key of NAME_KEYS) {
    const value = object[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

function pickArguments(object: JsonObject): unknown {
  for (const key of ARGUMENT_KEYS) if (key in object) return object[key];
  return undefined;
}

function finalAnswerText(args: unknown): string {
  if (typeof args === 'string') return args;
  if (isObject(args)) {
    const answer = args.answer ?? args.final_answer ?? args.text;
    if (typeof answer === 'string') return answer;
  }
  return JSON.stringify(args ?? '');
}

function argumentsObject(raw: unknown): { ok: true; value: JsonObject } | { ok: false; problem: string } {
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (isObject(raw)) return { ok: true, value: raw };
  if (typeof raw === 'string') {
    const parsed = parseJson(raw);
    if (parsed.ok && isObject(parsed.value)) return { ok: true, value: parsed.value };
  }
  return { ok: false, problem: '"arguments" must be a JSON object' };
}

/** Interprets an already parsed JSON value as an action. */
export function fromParsedValue(value: unknown): PlannerDecision {
  const object = Array.isArray(value) ? (value[0] as unknown) : value;
  if (!isObject(object))
    return {
      kind: 'invalid',
      problem: 'the action must be a JSON object like {"tool": …, "arguments": {…}}',
    };
  if (typeof object.final_answer === 'string') return { kind: 'final', answer: object.final_answer };
  const tool = pickName(object);
  if (!tool) return { kind: 'invalid', problem: 'the action has no "tool" field naming the tool to call' };
  const rawArguments = pickArguments(object);
  if (tool === FINAL_ANSWER_TOOL) return { kind: 'final', answer: finalAnswerText(rawArguments) };
  const args = argumentsObject(rawArguments);
  if (!args.ok) return { kind: 'invalid', problem: args.problem, action: { tool, arguments: {} } };
  return { kind: 'call', action: { tool, arguments: args.value } };
}

/**
 * Lenient parser for the text action format: `[TOOL_CALLS]` (Mistral's own tokens written as text),
 * `<function=…>` tags, the last fenced block, or the outermost braces — in that order.
 */
export function parseTextAction(text: string): PlannerDecision {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'invalid', problem: 'the reply was empty' };
  const toolCallsPrefix = /\[TOOL_CALLS\]\s*/.exec(trimmed);
  const afterPrefix = toolCallsPrefix
    ? trimmed.slice(toolCallsPrefix.index + toolCallsPrefix[0].length)
    : undefined;
  if (afterPrefix !== undefined) return parseCandidate(afterPrefix);
  const tagged = parseFunctionTag(trimmed);
  if (tagged) return tagged;
  const candidate = lastFencedBlock(trimmed) ?? trimmed;
  return parseCandidate(candidate);
}

function parseCandidate(candidate: string): PlannerDecision {
  const trimmed = candidate.trim();
  const json = trimmed.startsWith('[') ? trimmed : outermostBraces(trimmed);
  if (!json) return { kind: 'invalid', problem: 'no JSON action was found in the reply' };
  const parsed = parseJson(json);
  if (parsed.ok) return fromParsedValue(parsed.value);
  const first = firstBalancedObject(trimmed);
  const retry = first && first !== json ? parseJson(first) : undefined;
  return retry?.ok ? fromParsedValue(retry.value) : { kind: 'invalid', problem: parsed.problem };
}

/** Native tool calls carry their arguments as JSON text; parse them the same lenient way. */
export function parseNativeCall(call: { id: string; name: string; arguments: string }): PlannerDecision {
  if (call.name === FINAL_ANSWER_TOOL)
    return { kind: 'final', answer: finalAnswerText(parseJsonOrText(call.arguments)) };
  const args = argumentsObject(call.arguments.trim() === '' ? undefined : call.arguments);
  // Some servers omit call ids; the `role: "tool"` answer still needs one to point at.
  const callId = call.id || newToolCallId();
  const action: PlannedAction = { tool: call.name, arguments: args.ok ? args.value : {}, callId };
  if (!args.ok)
    return { kind: 'invalid', problem: `the arguments of ${call.name} are not a JSON object`, action };
  return { kind: 'call', action };
}

function parseJsonOrText(text: string): unknown {
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : text;
}
