import { TOOL_CONTRACTS, TOOL_NAMES, type ToolName } from '@app/contracts';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

type Operation = Record<string, unknown>;

const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'VALIDATION_FAILED, UNKNOWN_TOOL, TIMEOUT, UPSTREAM_ERROR, …' },
        message: { type: 'string', description: 'What went wrong and what to do' },
        details: { description: 'Field errors or upstream details' },
        correlationId: { type: 'string', description: 'The x-request-id of the call' },
      },
    },
  },
};

function errorResponse(description: string, headers?: Operation): Operation {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
  };
}

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before retrying (sent when retrying later helps)',
    schema: { type: 'integer', minimum: 1 },
  },
};

const UNAUTHORIZED = errorResponse(
  'UNAUTHORIZED: missing or wrong bearer key (only when GATEWAY_API_KEYS is set)',
  {
    'WWW-Authenticate': { description: '"Bearer"', schema: { type: 'string' } },
  },
);

/** Every status a tool call can answer (HTTP_STATUS_BY_CODE plus 503 for a model that is unavailable). */
function toolErrorResponses(): Record<string, Operation> {
  return {
    '400': errorResponse(
      'VALIDATION_FAILED: the body does not match the input schema (details lists the fields)',
    ),
    '401': UNAUTHORIZED,
    '403': errorResponse('Host or Origin not allowed (DNS-rebinding protection)'),
    '413': errorResponse('PAYLOAD_TOO_LARGE: the body is over GATEWAY_BODY_LIMIT_BYTES'),
    '415': errorResponse('VALIDATION_FAILED: the body is not sent as application/json'),
    '429': errorResponse(
      'RATE_LIMITED: the model server or the gateway queue is full; retry later',
      RETRY_AFTER,
    ),
    '499': errorResponse('CANCELLED: the client closed the connection before the answer (seen in logs only)'),
    '500': errorResponse(
      'CONFIG / INTERNAL: a configuration problem (named in the message) or a gateway bug',
    ),
    '502': errorResponse('UPSTREAM_ERROR / INVALID_RESPONSE: the code model failed or answered unusably'),
    '503': errorResponse(
      'The code model cannot be reached or loaded right now (connection refused, loading, circuit open, download failed), the gateway is shutting down (UNAVAILABLE) or the sandbox is missing (SANDBOX_UNAVAILABLE): retry after Retry-After when sent',
      RETRY_AFTER,
    ),
    '504': errorResponse('TIMEOUT: the code model did not answer in time'),
  };
}

/** One concrete operation per tool, its bodies the contract's JSON Schemas (written once, in @app/contracts). */
function toolOperation(name: ToolName): Operation {
  const contract = TOOL_CONTRACTS[name];
  return {
    tags: ['tools'],
    operationId: `call_${name}`,
    summary: contract.title,
    description: contract.description,
    requestBody: { required: true, content: { 'application/json': { schema: contract.inputJsonSchema } } },
    responses: {
      '200': {
        description: 'The structured output',
        content: { 'application/json': { schema: contract.outputJsonSchema } },
      },
      ...toolErrorResponses(),
    },
  };
}

/** The keys of GATEWAY_API_KEYS are opaque bearer tokens (not JWTs). */
const BEARER_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  description:
    'One of the keys in GATEWAY_API_KEYS, sent as "Authorization: Bearer <key>" (only when keys are set). Use "Authorize" to send it with "Try it out".',
};

/** Statuses of the routes Nest documents itself; /health/* and the docs are public. */
function completeOperation(path: string, operation: Operation): Operation {
  const responses = { ...(operation.responses as Record<string, Operation>) };
  if (path === '/health/ready') {
    responses['503'] = {
      description: 'Not ready: the report names the failing check (code_model, mcp) and why',
    };
  }
  if (path.startsWith('/health/')) return { ...operation, responses, security: [] };
  return {
    ...operation,
    responses: { ...responses, '401': UNAUTHORIZED, '403': toolErrorResponses()['403'] },
  };
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Code model MCP gateway — REST')
    .setDescription(
      'The MCP tools as plain JSON for internal services. MCP clients use /mcp instead. This description is public; every route but /health/* needs the bearer key when GATEWAY_API_KEYS is set.',
    )
    .setVersion('0.1.0')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const paths: Record<string, Record<string, Operation>> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (path === '/v1/tools/{name}') continue;
    const operations = Object.entries(item as Record<string, Operation>);
    paths[path] = Object.fromEntries(operations.map(([method, op]) => [method, completeOperation(path, op)]));
  }
  for (const name of TOOL_NAMES) paths[`/v1/tools/${name}`] = { post: toolOperation(name) };
  const schemas = { ...document.components?.schemas, ErrorBody: ERROR_BODY_SCHEMA };
  const components = { ...document.components, schemas, securitySchemes: { bearer: BEARER_SCHEME } };
  return { ...document, paths, components, security: [{ bearer: [] }] } as OpenAPIObject;
}

export function setupOpenApi(app: INestApplication): void {
  // the key typed into "Authorize" survives a page reload
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    swaggerOptions: { persistAuthorization: true },
  });
}
