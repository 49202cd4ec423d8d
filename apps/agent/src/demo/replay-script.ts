import { BUGGY_SNIPPET, DEMO_SCENARIOS } from './demo-scenarios';

/*
 * The scripted answers of `npm run demo -- --replay`: what a planner (Mistral) and a code model (StarCoder2)
 * might answer for the two demo scenarios. They are served by the model-server emulator over real HTTP,
 * so every other part — inference clients, the MCP gateway, prompts, parsers, the agent loop — runs for real.
 * This is a scripted replay, not a model.
 */

interface ChatBody {
  messages?: Array<{ role?: string; content?: string }>;
}

function messagesOf(body: unknown): Array<{ role?: string; content?: string }> {
  const messages = (body as ChatBody | undefined)?.messages;
  return Array.isArray(messages) ? messages : [];
}

function action(tool: string, args: Record<string, unknown>): string {
  return JSON.stringify({ tool, arguments: args });
}

const FIXED_SNIPPET = BUGGY_SNIPPET.replace('text[len(text) - i]', 'text[-1 - i]').replace(
  'range(len(text))',
  'range(len(text) // 2)',
);

const PLANNER_SCRIPT: Record<'build' | 'fix', string[]> = {
  build: [
    `I will first turn the request into a specification.\n${action('formalize_task', { task: DEMO_SCENARIOS[0]!.task, language: 'python' })}`,
    action('generate_code', { spec: '$last_spec', language: 'python' }),
    action('review_code', { code: '$last_code', language: 'python', spec: '$last_spec' }),
    action('final_answer', {
      answer: 'slugify(title) is written (see the code) and the review approved it.',
    }),
  ],
  fix: [
    // A typical 7B slip: a made-up argument name. The agent sends the schema error back and the planner fixes it.
    action('review_code', { snippet: BUGGY_SNIPPET }),
    `Sorry, here is the corrected call:\n\`\`\`json\n${action('review_code', { code: BUGGY_SNIPPET, language: 'python', focus: ['correctness'] })}\n\`\`\``,
    action('review_code', { code: '$last_code', language: 'python', focus: ['correctness'] }),
    action('final_answer', {
      answer:
        'The loop compared text[i] with text[len(text) - i], one past the end (IndexError on the first iteration). ' +
        'The corrected version compares text[i] with text[-1 - i] over half the string; the second review approves it.',
    }),
  ],
};

/** The planner's next reply, from the scenario (found in the task) and the number of turns so far. */
export function replayPlannerReply(body: unknown): string {
  const messages = messagesOf(body);
  const opening = messages[0]?.content ?? '';
  const scenario = opening.includes('is_palindrome') ? 'fix' : 'build';
  const turn = messages.filter((m) => m.role === 'assistant').length;
  return PLANNER_SCRIPT[scenario][turn] ?? action('final_answer', { answer: 'Done.' });
}

const SLUG_SPEC = {
  title: 'Slugify article titles',
  summary: 'Write slugify(title) that lower-cases a title and joins its words with hyphens for use in URLs.',
  language: 'python',
  requirements: [
    'Lower-case the result',
    'Replace each run of non-alphanumeric characters with one hyphen',
    'Strip leading and trailing hyphens',
  ],
  acceptance_criteria: [
    'slugify("Hello, World!") == "hello-world"',
    'slugify("  A  B ") == "a-b"',
    'slugify("") == ""',
  ],
  constraints: ['Standard library only'],
  assumptions: ['ASCII letters and digits are kept; other characters act as separators'],
  open_questions: ['Should accented letters be transliterated (é → e)?'],
};

const SLUG_CODE = [
  'import re',
  '',
  '',
  'def slugify(title: str) -> str:',
  '    """Turn an article title into a lower-case, hyphen-separated URL slug."""',
  '    words = re.split(r"[^a-z0-9]+", title.lower())',
  '    return "-".join(word for word in words if word)',
].join('\n');

/** What a code model writes when asked for tests from SLUG_SPEC's acceptance criteria. */
const SLUG_TESTS = SLUG_SPEC.acceptance_criteria.map((criterion) => `assert ${criterion}`).join('\n');

function codeModelReview(prompt: string): unknown {
  if (prompt.includes('len(text) - i]')) {
    return {
      summary: 'The comparison index is off by one: text[len(text) - i] is out of range when i == 0.',
      verdict: 'request_changes',
      score: 3,
      issues: [
        {
          severity: 'critical',
          line: 4,
          message: 'text[len(text) - i] raises IndexError for i == 0',
          suggestion: 'compare with text[-1 - i]',
        },
        {
          severity: 'minor',
          line: 3,
          message: 'every pair is compared twice',
          suggestion: 'loop over range(len(text) // 2)',
        },
      ],
      corrected_code: FIXED_SNIPPET,
    };
  }
  return {
    summary: 'Correct, small and readable; handles empty input.',
    verdict: 'approve',
    score: 9,
    issues: [],
  };
}

/** The code model's reply to one gateway prompt (formalize, generate or review), chosen by the prompt's wording. */
export function replayCodeModelReply(body: unknown): string {
  const prompt = messagesOf(body)
    .map((m) => m.content ?? '')
    .join('\n');
  if (/code reviewer/i.test(prompt)) return JSON.stringify(codeModelReview(prompt));
  if (/testable specification/i.test(prompt)) return JSON.stringify(SLUG_SPEC);
  if (/Write ONLY a short python test program/.test(prompt))
    return `\`\`\`python\n${SLUG_TESTS}\n\`\`\`\nOne assert per criterion.`;
  return `\`\`\`python\n${SLUG_CODE}\n\`\`\`\nSplits the lower-cased title on runs of non-alphanumeric characters and joins the words with hyphens.`;
}
