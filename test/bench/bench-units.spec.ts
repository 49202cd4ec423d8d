import {
  buildFormalizePrompt,
  buildGenerateCodePrompt,
  buildReviewCodePrompt,
  parseFormalizeOutput,
  parseGenerateCodeOutput,
  parseReviewOutput,
  renderStarCoderPrompt,
  type PromptSpec,
} from '@app/prompts';
import type { RecordedRequest } from '@app/testing';
import { codeChunks, replyTextFor } from '../../bench/emulator/replies';
import { areaOf } from '../../bench/support/cpu-profile';
import { median, percentile, summarize } from '../../bench/support/stats';

/* The bench's pure parts: if these drift, every number it prints is wrong or every call fails. */

/** The request the emulator sees when the gateway renders a tool prompt for StarCoder2 (`/v1/completions`). */
function completionRequest(spec: PromptSpec): RecordedRequest {
  const body = { prompt: renderStarCoderPrompt(spec.messages).prompt, max_tokens: spec.maxTokens };
  return { method: 'POST', path: '/v1/completions', headers: {}, body, remotePort: 0 };
}

describe('emulated model answers', () => {
  it('answers each tool prompt with output that tool parses', () => {
    const formalize = replyTextFor(completionRequest(buildFormalizePrompt({ task: 'Add two numbers.' })));
    const generate = replyTextFor(
      completionRequest(buildGenerateCodePrompt({ task: 'Add two numbers.', language: 'python' })),
    );
    const review = replyTextFor(
      completionRequest(buildReviewCodePrompt({ code: 'def add(a, b):\n    return a + b\n' })),
    );
    expect(parseFormalizeOutput(formalize).ok).toBe(true);
    expect(parseGenerateCodeOutput(generate, 'python').ok).toBe(true);
    expect(parseReviewOutput(review).ok).toBe(true);
  });

  it('splits a streamed answer into exactly the requested chunks that still form one code block', () => {
    const chunks = codeChunks(2000);
    expect(chunks).toHaveLength(2000);
    const parsed = parseGenerateCodeOutput(chunks.join(''), 'python');
    expect(parsed.ok && parsed.value.code.split('\n')).toHaveLength(1998);
  });
});

describe('statistics', () => {
  it('takes nearest-rank percentiles, so p99 of 100 samples is the 99th', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarize(samples)).toMatchObject({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(percentile([], 0.5)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe('CPU profile areas', () => {
  it('names packages, our code, Node internals and V8 states', () => {
    expect(areaOf('file:///app/node_modules/@modelcontextprotocol/sdk/dist/cjs/server/x.js', 'f')).toBe(
      '@modelcontextprotocol/sdk',
    );
    expect(areaOf('file:///app/node_modules/router/index.js', 'next')).toBe('router');
    expect(areaOf('file:///app/dist/apps/mcp-gateway/src/main.js', 'f')).toBe('apps/mcp-gateway');
    expect(areaOf('node:internal/async_hooks', 'promiseInitHook')).toBe('node:async_hooks');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
  });
});
