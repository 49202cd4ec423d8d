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

function errorResponse(description: string): Operation {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
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
      '400': errorResponse(
        'VALIDATION_FAILED: the body does not match the input schema (details lists the fields)',
      ),
      '401': errorResponse('UNAUTHORIZED: missing or wrong bearer key'),
      '413': errorResponse('PAYLOAD_TOO_LARGE'),
      '415': errorResponse('VALIDATION_FAILED: the body is not sent as application/json'),
      '502': errorResponse('UPSTREAM_ERROR / INVALID_RESPONSE from the code model'),
      '503': errorResponse('CIRCUIT_OPEN: the code model is failing; retry later'),
      '504': errorResponse('TIMEOUT: the code model did not answer in time'),
    },
  };
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Code model MCP gateway — REST')
    .setDescription('The MCP tools as plain JSON for internal services. MCP clients use /mcp instead.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const paths = { ...document.paths } as Record<string, unknown>;
  delete paths['/v1/tools/{name}'];
  for (const name of TOOL_NAMES) paths[`/v1/tools/${name}`] = { post: toolOperation(name) };
  const schemas = { ...document.components?.schemas, ErrorBody: ERROR_BODY_SCHEMA };
  return { ...document, paths, components: { ...document.components, schemas } } as OpenAPIObject;
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app));
}
