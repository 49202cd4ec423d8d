import { createModelClient, type ModelClient } from '@app/inference';
import { buildGenerateCodePrompt } from '@app/prompts';
import { BENCH_INPUT } from './mcp-sessions';

/**
 * The reference: the same generation the tool makes, sent straight to the emulator through the same inference
 * client. The gateway's added latency is its tool-call latency minus this.
 */
export class DirectCaller {
  private readonly prompt = buildGenerateCodePrompt(BENCH_INPUT);

  private constructor(readonly client: ModelClient) {}

  static create(upstream: string): DirectCaller {
    return new DirectCaller(
      createModelClient({ role: 'code', urls: [`${upstream}/v1/completions`], protocol: 'auto' }),
    );
  }

  async call(onToken?: (delta: string) => void): Promise<void> {
    const result = await this.client.generate({ ...this.prompt, onToken });
    if (result.text === '') throw new Error('direct call: empty answer');
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
