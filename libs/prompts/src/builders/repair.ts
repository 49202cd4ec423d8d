import type { ChatMessage } from '@app/contracts';
import { clipInput } from './prompt-spec';

/**
 * The bad answer goes back so the model can fix it in place (clipped to save context). The one repair round: the original conversation, the model's unusable answer as its own turn, and a
 * user turn quoting the exact parse or validation error. Roles keep alternating (Mistral requires it).
 */
export function buildRepairMessages(
  original: ChatMessage[],
  badOutput: string,
  error: string,
): ChatMessage[] {
  return [
    ...original,
    { role: 'assistant', content: clipInput('badOutput', badOutput) },
    {
      role: 'user',
      content:
        `Your answer could not be used: ${error}\n` +
        'Answer again in exactly the requested format, complete, with nothing before or after it.',
    },
  ];
}
