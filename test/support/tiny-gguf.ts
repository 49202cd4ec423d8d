import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes a tiny but valid GGUF v3 model (llama architecture, SentencePiece byte vocabulary, random
 * F32 weights) so tests run the real node-llama-cpp loading and generation code in milliseconds.
 * Weights come from a seeded PRNG: the same seed gives the same file and, at temperature 0, the same text.
 */
export interface TinyGgufOptions {
  seed?: number;
  embeddingLength?: number;
  blockCount?: number;
  contextLength?: number;
  /** written as `general.name` */
  name?: string;
  /**
   * Bias the output towards the tokens that close JSON values (`"`, `]`, `}`, `,`), so that generation
   * under a JSON-Schema grammar finishes quickly with short strings, empty arrays and one-digit numbers:
   * what a gateway end-to-end test needs to get contract-valid tool outputs from a random model.
   */
  preferJsonClosers?: boolean;
  /**
   * A fixed answer: the model writes these pieces in order, then end-of-sequence, whatever the prompt
   * (e.g. a fenced code block for a gateway end-to-end test). Pieces become tokens of their own, so they
   * must be distinct and at least two characters long.
   */
  script?: string[];
}

/** Logit weight per preferred byte, applied through a constant first embedding dimension. */
const JSON_CLOSER_BIAS: Record<string, number> = { '"': 40, ']': 30, '}': 20, ',': 10, '-': -40 };
const BIAS_DIMENSION_VALUE = 16;
/** Logit of the next scripted piece; the JSON-closer weights are scaled well below it. */
const SCRIPT_WEIGHT = 50;

const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
const GGUF_VERSION = 3;
const ALIGNMENT = 32;

enum ValueType {
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  STRING = 8,
  ARRAY = 9,
}

enum TokenType {
  NORMAL = 1,
  UNKNOWN = 2,
  CONTROL = 3,
  BYTE = 6,
}

type MetadataValue =
  | { type: ValueType.UINT32 | ValueType.INT32 | ValueType.FLOAT32; value: number }
  | { type: ValueType.STRING; value: string }
  | { type: ValueType.ARRAY; itemType: ValueType.STRING; items: string[] }
  | { type: ValueType.ARRAY; itemType: ValueType.FLOAT32 | ValueType.INT32; items: number[] };

interface Tensor {
  name: string;
  /** GGUF order: dims[0] is the contiguous (innermost) dimension */
  dims: number[];
  data: Float32Array;
}

/**
 * Special tokens, then one token per byte (every string is representable), then SentencePiece's word
 * boundary `▁` as a normal token so that spaces survive a tokenize/detokenize round trip, then the
 * pieces of a scripted answer, if any.
 */
const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>'];
const WORD_BOUNDARY = '\u2581';
const UNK_ID = 0;
const BOS_ID = 1;
const EOS_ID = 2;
const FIRST_BYTE_ID = SPECIAL_TOKENS.length;

/** Vocabulary size without scripted pieces. */
export const TINY_GGUF_VOCAB_SIZE = SPECIAL_TOKENS.length + 256 + 1;

interface Vocabulary {
  tokens: string[];
  types: TokenType[];
  /** token id of each scripted piece */
  scriptIds: number[];
}

interface ModelShape {
  embedding: number;
  blocks: number;
  vocabSize: number;
}

/** Writes the model into a fresh temp directory and returns the file path. */
export async function writeTinyGguf(options: TinyGgufOptions = {}): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'tiny-gguf-'));
  const filePath = join(directory, `${options.name ?? 'tiny-llama'}.gguf`);
  await writeFile(filePath, buildTinyGguf(options));
  return filePath;
}

export function buildTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const vocabulary = buildVocabulary(options.script ?? []);
  const shape = {
    embedding: options.embeddingLength ?? 32,
    blocks: options.blockCount ?? 1,
    vocabSize: vocabulary.tokens.length,
  };
  if (vocabulary.scriptIds.length + 2 > shape.embedding)
    throw new Error('script too long for the embedding size');
  const metadata = buildMetadata(
    options.name ?? 'tiny-llama',
    shape,
    options.contextLength ?? 4096,
    vocabulary,
  );
  const tensors =
    options.script === undefined
      ? randomTensors(shape, seededRandom(options.seed ?? 42), options.preferJsonClosers ?? false)
      : scriptedTensors(shape, vocabulary.scriptIds, options.preferJsonClosers ?? false);
  return serialize(metadata, tensors);
}

function buildVocabulary(script: string[]): Vocabulary {
  if (new Set(script).size !== script.length || script.some((piece) => [...piece].length < 2)) {
    throw new Error('script pieces must be distinct and at least two characters long');
  }
  const byteTokens = Array.from(
    { length: 256 },
    (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`,
  );
  const tokens = [...SPECIAL_TOKENS, ...byteTokens, WORD_BOUNDARY, ...script];
  const types = [
    TokenType.UNKNOWN,
    TokenType.CONTROL,
    TokenType.CONTROL,
    ...byteTokens.map(() => TokenType.BYTE),
    TokenType.NORMAL,
    ...script.map(() => TokenType.NORMAL),
  ];
  return { tokens, types, scriptIds: script.map((_, index) => TINY_GGUF_VOCAB_SIZE + index) };
}

function buildMetadata(name: string, shape: ModelShape, contextLength: number, vocabulary: Vocabulary) {
  const heads = 2;
  const u32 = (value: number): MetadataValue => ({ type: ValueType.UINT32, value });
  const entries: [string, MetadataValue][] = [
    ['general.architecture', { type: ValueType.STRING, value: 'llama' }],
    ['general.name', { type: ValueType.STRING, value: name }],
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(shape.embedding)],
    ['llama.block_count', u32(shape.blocks)],
    ['llama.feed_forward_length', u32(shape.embedding * 2)],
    ['llama.attention.head_count', u32(heads)],
    ['llama.attention.head_count_kv', u32(heads)],
    ['llama.rope.dimension_count', u32(shape.embedding / heads)],
    ['llama.attention.layer_norm_rms_epsilon', { type: ValueType.FLOAT32, value: 1e-5 }],
    ['tokenizer.ggml.model', { type: ValueType.STRING, value: 'llama' }],
    [
      'tokenizer.ggml.tokens',
      { type: ValueType.ARRAY, itemType: ValueType.STRING, items: vocabulary.tokens },
    ],
    [
      'tokenizer.ggml.scores',
      { type: ValueType.ARRAY, itemType: ValueType.FLOAT32, items: vocabulary.types.map(() => 0) },
    ],
    [
      'tokenizer.ggml.token_type',
      { type: ValueType.ARRAY, itemType: ValueType.INT32, items: vocabulary.types },
    ],
    ['tokenizer.ggml.unknown_token_id', u32(UNK_ID)],
    ['tokenizer.ggml.bos_token_id', u32(BOS_ID)],
    ['tokenizer.ggml.eos_token_id', u32(EOS_ID)],
  ];
  return entries;
}

function tensor(name: string, dims: number[], fill: (index: number) => number = () => 0): Tensor {
  const length = dims.reduce((product, dim) => product * dim, 1);
  return { name, dims, data: Float32Array.from({ length }, (_, index) => fill(index)) };
}

/** The transformer: token embedding, `blocks` llama blocks, final norm and output head. */
function assemble(
  shape: ModelShape,
  blockMatrix: (name: string, columns: number, rows: number) => Tensor,
  embedding: Tensor,
  head: Tensor,
): Tensor[] {
  const ones = (name: string) => tensor(name, [shape.embedding], () => 1);
  const { embedding: width } = shape;
  const tensors = [embedding, ones('output_norm.weight'), head];
  for (let block = 0; block < shape.blocks; block++) {
    const prefix = `blk.${block}.`;
    tensors.push(
      ones(`${prefix}attn_norm.weight`),
      blockMatrix(`${prefix}attn_q.weight`, width, width),
      blockMatrix(`${prefix}attn_k.weight`, width, width),
      blockMatrix(`${prefix}attn_v.weight`, width, width),
      blockMatrix(`${prefix}attn_output.weight`, width, width),
      ones(`${prefix}ffn_norm.weight`),
      blockMatrix(`${prefix}ffn_gate.weight`, width, width * 2),
      blockMatrix(`${prefix}ffn_up.weight`, width, width * 2),
      blockMatrix(`${prefix}ffn_down.weight`, width * 2, width),
    );
  }
  return tensors;
}

function randomTensors(shape: ModelShape, random: () => number, preferJsonClosers: boolean): Tensor[] {
  const matrix = (name: string, columns: number, rows: number) =>
    tensor(name, [columns, rows], () => (random() - 0.5) * 0.5);
  const embedding = matrix('token_embd.weight', shape.embedding, shape.vocabSize);
  const head = printableOutputHead(shape, random);
  if (preferJsonClosers) biasTowardsJsonClosers(embedding, head, shape);
  return assemble(shape, matrix, embedding, head);
}

/**
 * The output head only gives printable-ASCII bytes non-zero weights: greedy decoding then writes readable
 * text and never picks the end-of-sequence token, so a test decides when generation stops (maxTokens).
 */
function printableOutputHead(shape: ModelShape, random: () => number): Tensor {
  const head = tensor('output.weight', [shape.embedding, shape.vocabSize]);
  for (let byte = 0x20; byte <= 0x7e; byte++) {
    const row = (FIRST_BYTE_ID + byte) * shape.embedding;
    for (let column = 0; column < shape.embedding; column++) head.data[row + column] = (random() - 0.5) * 4;
  }
  return head;
}

/**
 * Every token embedding gets the same large value in dimension 0, which survives the residual stream,
 * so the final hidden state always has a big positive component there; the output head turns that
 * component into a fixed per-token bonus (or malus).
 */
function biasTowardsJsonClosers(embedding: Tensor, head: Tensor, shape: ModelShape): void {
  for (let token = 0; token < shape.vocabSize; token++) {
    embedding.data[token * shape.embedding] = BIAS_DIMENSION_VALUE;
    head.data[token * shape.embedding] = 0;
  }
  setJsonCloserWeights(head, shape, 1);
}

function setJsonCloserWeights(head: Tensor, shape: ModelShape, scale: number): void {
  for (const [character, weight] of Object.entries(JSON_CLOSER_BIAS)) {
    head.data[(FIRST_BYTE_ID + character.charCodeAt(0)) * shape.embedding] = weight * scale;
  }
}

/**
 * A bigram machine: with every block weight zero the hidden state is the current token's embedding, so
 * the next token is a fixed function of the current one. Every ordinary token points (dimension 0) to the
 * first piece, piece k (dimension k + 1) to piece k + 1, the last piece to end-of-sequence. Whatever the
 * prompt, the answer is the script; under a grammar that forbids the pieces, the JSON-closer weights
 * (smaller than the script's) decide.
 */
function scriptedTensors(shape: ModelShape, scriptIds: number[], preferJsonClosers: boolean): Tensor[] {
  const width = shape.embedding;
  const embedding = tensor('token_embd.weight', [width, shape.vocabSize]);
  const head = tensor('output.weight', [width, shape.vocabSize]);
  for (let token = 0; token < shape.vocabSize; token++) embedding.data[token * width] = 1;
  scriptIds.forEach((id, index) => {
    embedding.data[id * width] = 0;
    embedding.data[id * width + index + 1] = 1;
    head.data[id * width + index] = SCRIPT_WEIGHT; // follows the previous piece (or any ordinary token)
  });
  head.data[EOS_ID * width + scriptIds.length] = SCRIPT_WEIGHT;
  if (preferJsonClosers) setJsonCloserWeights(head, shape, SCRIPT_WEIGHT / 100);
  return assemble(shape, (name, columns, rows) => tensor(name, [columns, rows]), embedding, head);
}

function serialize(metadata: [string, MetadataValue][], tensors: Tensor[]): Buffer {
  const writer = new ByteWriter();
  writer.u32(GGUF_MAGIC).u32(GGUF_VERSION).u64(tensors.length).u64(metadata.length);
  for (const [key, value] of metadata) writer.string(key).metadataValue(value);
  let offset = 0;
  for (const tensor of tensors) {
    writer.string(tensor.name).u32(tensor.dims.length);
    for (const dim of tensor.dims) writer.u64(dim);
    writer.u32(0 /* F32 */).u64(offset);
    offset = alignUp(offset + tensor.data.byteLength);
  }
  writer.padTo(ALIGNMENT);
  for (const tensor of tensors) {
    writer
      .bytes(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength))
      .padTo(ALIGNMENT);
  }
  return writer.toBuffer();
}

function alignUp(value: number): number {
  return Math.ceil(value / ALIGNMENT) * ALIGNMENT;
}

class ByteWriter {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  u32(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    return this.bytes(buffer);
  }

  i32(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    return this.bytes(buffer);
  }

  f32(value: number): this {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    return this.bytes(buffer);
  }

  u64(value: number): this {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    return this.bytes(buffer);
  }

  string(value: string): this {
    const encoded = Buffer.from(value, 'utf8');
    return this.u64(encoded.length).bytes(encoded);
  }

  metadataValue(value: MetadataValue): this {
    this.u32(value.type);
    if (value.type === ValueType.STRING) return this.string(value.value);
    if (value.type === ValueType.ARRAY) return this.array(value);
    return this.scalar(value.type, value.value);
  }

  bytes(buffer: Buffer): this {
    this.chunks.push(buffer);
    this.length += buffer.length;
    return this;
  }

  padTo(alignment: number): this {
    const padding = (alignment - (this.length % alignment)) % alignment;
    return padding === 0 ? this : this.bytes(Buffer.alloc(padding));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private array(value: Extract<MetadataValue, { type: ValueType.ARRAY }>): this {
    this.u32(value.itemType).u64(value.items.length);
    for (const item of value.items) {
      if (typeof item === 'string') this.string(item);
      else this.scalar(value.itemType, item);
    }
    return this;
  }

  private scalar(type: ValueType, value: number): this {
    if (type === ValueType.FLOAT32) return this.f32(value);
    if (type === ValueType.INT32) return this.i32(value);
    return this.u32(value);
  }
}

/** mulberry32: tiny, fast and good enough for test weights. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
