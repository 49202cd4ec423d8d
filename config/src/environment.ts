import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { IsUrlList } from './url-list.validator';

const PROTOCOLS = ['auto', 'local-models', 'openai-chat', 'openai-completions', 'embedded'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MCP_MODES = ['stateful', 'stateless'] as const;
const AGENT_ROLES = ['all', 'api', 'worker'] as const;
/** `30d` (days), `5000` (runs), or both: `30d,5000` */
const RETENTION_PATTERN = /^\s*\d+d?\s*(,\s*\d+d?\s*)?$/;
const SANDBOX_MODES = ['auto', 'bubblewrap', 'off'] as const;
const STRUCTURED_DIALECTS = [
  'auto',
  'openai',
  'llama.cpp',
  'vllm',
  'vllm-legacy',
  'tgi',
  'ollama',
  'none',
] as const;

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalized)) return true;
  if (['0', 'false', 'no', 'off'].includes(normalized)) return false;
  return value;
};

/**
 * Every environment variable the platform reads, validated once at start with class-validator.
 * Property names are the variable names so that error messages name exactly what the operator set.
 */
export class EnvironmentVariables {
  @IsOptional() @IsUrlList() STARCODER_ENDPOINT?: string;
  @IsOptional() @IsUrlList() MISTRAL_ENDPOINT?: string;
  @IsOptional() @IsIn(PROTOCOLS) STARCODER_PROTOCOL?: (typeof PROTOCOLS)[number];
  @IsOptional() @IsIn(PROTOCOLS) MISTRAL_PROTOCOL?: (typeof PROTOCOLS)[number];
  @IsOptional() @IsString() @MinLength(1) STARCODER_MODEL?: string;
  @IsOptional() @IsString() @MinLength(1) MISTRAL_MODEL?: string;
  @IsOptional() @IsString() STARCODER_API_KEY?: string;
  @IsOptional() @IsString() MISTRAL_API_KEY?: string;
  @IsOptional() @IsString() STARCODER_MODEL_FILE?: string;
  @IsOptional() @IsString() MISTRAL_MODEL_FILE?: string;
  @IsOptional() @IsString() MODEL_CACHE_DIR?: string;
  // where hf: URIs and the default model download from (a mirror, or a local server in tests)
  @IsOptional() @IsUrlList({ single: true }) MODEL_HUB_URL?: string;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(256) EMBEDDED_THREADS?: number;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(256) @Max(1_048_576) EMBEDDED_CONTEXT_SIZE?: number;

  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(86_400) MODEL_TIMEOUT_SECONDS: number = 60;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(0) @Max(10) MODEL_MAX_RETRIES: number = 2;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(100_000) MODEL_MAX_CONCURRENCY: number = 256;
  // real model servers: queue size and first-token deadline apart from the in-flight limit (issue 15)
  @IsOptional() @Transform(toInteger) @IsInt() @Min(0) @Max(1_000_000) MODEL_MAX_QUEUE: number = 1024;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(86_400) MODEL_FIRST_TOKEN_SECONDS: number = 30;
  @IsOptional() @IsIn(STRUCTURED_DIALECTS) STARCODER_STRUCTURED_OUTPUT: (typeof STRUCTURED_DIALECTS)[number] =
    'auto';
  @IsOptional() @IsIn(STRUCTURED_DIALECTS) MISTRAL_STRUCTURED_OUTPUT: (typeof STRUCTURED_DIALECTS)[number] =
    'auto';

  @IsOptional() @IsString() @MinLength(1) GATEWAY_HOST: string = '127.0.0.1';
  @IsOptional() @Transform(toInteger) @IsInt() @Min(0) @Max(65_535) GATEWAY_PORT: number = 3000;
  // "," would otherwise mean "no keys": the gateway open to all while the operator believes it is guarded
  @IsOptional()
  @IsString()
  @Matches(/[^,\s]/, { message: 'GATEWAY_API_KEYS must list at least one key (comma-separated)' })
  GATEWAY_API_KEYS?: string;
  @IsOptional() @IsString() GATEWAY_ALLOWED_HOSTS?: string;
  // replicas share MCP task state through it (apps/mcp-gateway/README.md, "Tasks")
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'GATEWAY_REDIS_URL must be a redis:// or rediss:// URL' })
  GATEWAY_REDIS_URL?: string;
  @IsOptional() @IsIn(MCP_MODES) GATEWAY_MCP_MODE: (typeof MCP_MODES)[number] = 'stateful';
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(604_800) GATEWAY_SESSION_TTL_SECONDS: number =
    1800;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(1_000_000) GATEWAY_MAX_SESSIONS: number = 1000;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1024) @Max(104_857_600) GATEWAY_BODY_LIMIT_BYTES: number =
    1_048_576;

  @IsOptional() @IsUrlList({ single: true }) MCP_GATEWAY_URL: string = 'http://127.0.0.1:3000/mcp';
  @IsOptional() @IsString() MCP_GATEWAY_API_KEY?: string;
  @IsOptional() @IsString() @MinLength(1) AGENT_HOST: string = '127.0.0.1';
  @IsOptional() @Transform(toInteger) @IsInt() @Min(0) @Max(65_535) AGENT_PORT: number = 3001;
  // the same rules as GATEWAY_API_KEYS: "," must not silently mean "no keys"
  @IsOptional()
  @IsString()
  @Matches(/[^,\s]/, { message: 'AGENT_API_KEYS must list at least one key (comma-separated)' })
  AGENT_API_KEYS?: string;
  @IsOptional() @IsString() AGENT_ALLOWED_HOSTS?: string;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(200) AGENT_MAX_STEPS: number = 12;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(86_400) AGENT_MAX_SECONDS: number = 600;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(100) @Max(10_000_000) AGENT_MAX_TOKENS: number = 32_000;
  // Durable runs (apps/agent/README.md, "Runs: storage and scale-out")
  @IsOptional() @IsString() @MinLength(1) AGENT_DATA_DIR?: string;
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'AGENT_REDIS_URL must be a redis:// or rediss:// URL' })
  AGENT_REDIS_URL?: string;
  @IsOptional() @IsIn(AGENT_ROLES) AGENT_ROLE: (typeof AGENT_ROLES)[number] = 'all';
  @IsOptional()
  @Matches(RETENTION_PATTERN, {
    message: 'AGENT_RUN_RETENTION must be days ("30d"), a run count ("5000") or both ("30d,5000")',
  })
  AGENT_RUN_RETENTION: string = '30d';
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(3600) AGENT_SHUTDOWN_GRACE_SECONDS: number = 20;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(2) @Max(600) AGENT_QUEUE_LOCK_SECONDS: number = 30;

  // code execution (libs/sandbox); SANDBOX_MAX_CONCURRENCY defaults to the CPU cores in app-config
  @IsOptional() @IsIn(SANDBOX_MODES) SANDBOX: (typeof SANDBOX_MODES)[number] = 'auto';
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(60) SANDBOX_TIMEOUT_SECONDS: number = 10;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(64) @Max(65_536) SANDBOX_MEMORY_MB: number = 512;
  @IsOptional() @Transform(toInteger) @IsInt() @Min(1) @Max(256) SANDBOX_MAX_CONCURRENCY?: number;

  @IsOptional() @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  @IsOptional() @Transform(toBoolean) @IsBoolean() LOG_PRETTY: boolean = false;
  @IsOptional() @Transform(toBoolean) @IsBoolean() LOG_PAYLOADS: boolean = false;
}

/** Raised for a bad environment; its message is one line naming each bad variable and what is expected. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Once the type is wrong ("abc" for a port), the range checks that also fail only blur the message. */
const TYPE_CONSTRAINTS = ['isInt', 'isBoolean'];

function describeProblem(error: ValidationError): string {
  const constraints = error.constraints ?? {};
  const typeProblem = TYPE_CONSTRAINTS.find((name) => constraints[name] !== undefined);
  const expected =
    typeProblem === undefined ? Object.values(constraints).join(', ') : (constraints[typeProblem] ?? '');
  const got = error.value === undefined ? '' : ` (got ${JSON.stringify(error.value)})`;
  return `${expected}${got}`;
}

/** Blank strings mean "unset": `FOO=` in a .env file falls back to the default instead of failing. */
function withoutBlankValues(env: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => !(typeof value === 'string' && value.trim() === '')),
  );
}

/** Rules that involve two variables. */
function crossFieldProblems(env: EnvironmentVariables): string[] {
  // Without Redis there is no queue another process could take work from (or hand work to).
  if (env.AGENT_ROLE !== 'all' && env.AGENT_REDIS_URL === undefined)
    return [`AGENT_ROLE=${env.AGENT_ROLE} needs AGENT_REDIS_URL (a single-machine agent is always "all")`];
  return [];
}

/** Validates the raw environment; unknown variables are ignored (the process environment holds many). */
export function validateEnvironment(env: Record<string, unknown>): EnvironmentVariables {
  const instance = plainToInstance(EnvironmentVariables, withoutBlankValues(env), {
    exposeDefaultValues: true,
  });
  const errors = validateSync(instance, { skipMissingProperties: false, forbidUnknownValues: false });
  const problems = [...errors.map(describeProblem), ...crossFieldProblems(instance)];
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return instance;
}
