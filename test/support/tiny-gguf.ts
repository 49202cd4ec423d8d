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
}

/** Logit weight per preferred byte, applied through a constant first embedding dimension. */
const JSON_CLOSER_BIAS: Record<string, number> = { '"': 40, ']': 30, '}': 20, ',': 10, '-': -40 };
const BIAS_DIMENSION_VALUE = 16;

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
 * boundary `▁` as a normal token so that spaces survive a tokenize/detokenize round trip.
 */
const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>'];
const WORD_BOUNDARY = '\u2581';
const UNK_ID = 0;
const BOS_ID = 1;
const EOS_ID = 2;
const FIRST_BYTE_ID = SPECIAL_TOKENS.length;

export const TINY_GGUF_VOCAB_SIZE = SPECIAL_TOKENS.length + 256 + 1;

/** Writes the model into a fresh temp directory and returns the file path. */
export async function writeTinyGguf(options: TinyGgufOptions = {}): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'tiny-gguf-'));
  const filePath = join(directory, `${options.name ?? 'tiny-llama'}.gguf`);
  await writeFile(filePath, buildTinyGguf(options));
  return filePath;
}

export function buildTinyGguf(options: TinyGgufOptions = {}): Buffer {
  const embedding = options.embeddingLength ?? 32;
  const blocks = options.blockCount ?? 1;
  const contextLength = options.contextLength ?? 4096;
  const random = seededRandom(options.seed ?? 42);
  const metadata = buildMetadata(options.name ?? 'tiny-llama', embedding, blocks, contextLength);
  const tensors = buildTensors(embedding, blocks, random, options.preferJsonClosers ?? false);
  return serialize(metadata, tensors);
}

function buildMetadata(name: string, embedding: number, blocks: number, contextLength: number) {
  const heads = 2;
  const u32 = (value: number): MetadataValue => ({ type: ValueType.UINT32, value });
  const byteTokens = Array.from(
    { length: 256 },
    (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`,
  );
  const tokens = [...SPECIAL_TOKENS, ...byteTokens, WORD_BOUNDARY];
  const tokenTypes = [
    TokenType.UNKNOWN,
    TokenType.CONTROL,
    TokenType.CONTROL,
    ...byteTokens.map(() => TokenType.BYTE),
    TokenType.NORMAL,
  ];
  const entries: [string, MetadataValue][] = [
    ['general.architecture', { type: ValueType.STRING, value: 'llama' }],
    ['general.name', { type: ValueType.STRING, value: name }],
    ['llama.context_length', u32(contextLength)],
    ['llama.embedding_length', u32(embedding)],
    ['llama.block_count', u32(blocks)],
    ['llama.feed_forward_length', u32(embedding * 2)],
    ['llama.attention.head_count', u32(heads)],
    ['llama.attention.head_count_kv', u32(heads)],
    ['llama.rope.dimension_count', u32(embedding / heads)],
    ['llama.attention.layer_norm_rms_epsilon', { type: ValueType.FLOAT32, value: 1e-5 }],
    ['tokenizer.ggml.model', { type: ValueType.STRING, value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: ValueType.ARRAY, itemType: ValueType.STRING, items: tokens }],
    [
      'tokenizer.ggml.scores',
      { type: ValueType.ARRAY, itemType: ValueType.FLOAT32, items: tokenTypes.map(() => 0) },
    ],
    ['tokenizer.ggml.token_type', { type: ValueType.ARRAY, itemType: ValueType.INT32, items: tokenTypes }],
    ['tokenizer.ggml.unknown_token_id', u32(UNK_ID)],
    ['tokenizer.ggml.bos_token_id', u32(BOS_ID)],
    ['tokenizer.ggml.eos_token_id', u32(EOS_ID)],
  ];
  return entries;
}

function buildTensors(
  embedding: number,
  blocks: number,
  random: () => number,
  preferJsonClosers: boolean,
): Tensor[] {
  const feedForward = embedding * 2;
  const vocab = TINY_GGUF_VOCAB_SIZE;
  const matrix = (name: string, columns: number, rows: number): Tensor => ({
    name,
    dims: [columns, rows],
    data: Float32Array.from({ length: columns * rows }, () => (random() - 0.5) * 0.5),
  });
  const ones = (name: string): Tensor => ({
    name,
    dims: [embedding],
    data: new Float32Array(embedding).fill(1),
  });
  const tokenEmbedding = matrix('token_embd.weight', embedding, vocab);
  const head = outputHead(embedding, random);
  if (preferJsonClosers) biasTowardsJsonClosers(tokenEmbedding, head, embedding);
  const tensors = [tokenEmbedding, ones('output_norm.weight'), head];
  for (let block = 0; block < blocks; block++) {
    const prefix = `blk.${block}.`;
    tensors.push(
      ones(`${prefix}attn_norm.weight`),
      matrix(`${prefix}attn_q.weight`, embedding, embedding),
      matrix(`${prefix}attn_k.weight`, embedding, embedding),
      matrix(`${prefix}attn_v.weight`, embedding, embedding),
      matrix(`${prefix}attn_output.weight`, embedding, embedding),
      ones(`${prefix}ffn_norm.weight`),
      matrix(`${prefix}ffn_gate.weight`, embedding, feedForward),
      matrix(`${prefix}ffn_up.weight`, embedding, feedForward),
      matrix(`${prefix}ffn_down.weight`, feedForward, embedding),
    );
  }
  return tensors;
}

/**
 * The output head only gives printable-ASCII bytes non-zero weights: greedy decoding then writes readable
 * text and never picks the end-of-sequence token, so a test decides when generation stops (maxTokens).
 */
function outputHead(embedding: number, random: () => number): Tensor {
  const data = new Float32Array(embedding * TINY_GGUF_VOCAB_SIZE);
  for (let byte = 0; byte < 256; byte++) {
    const token = FIRST_BYTE_ID + byte;
    if (byte < 0x20 || byte > 0x7e) continue;
    for (let column = 0; column < embedding; column++)
      data[token * embedding + column] = (random() - 0.5) * 4;
  }
  return { name: 'output.weight', dims: [embedding, TINY_GGUF_VOCAB_SIZE], data };
}

/**
 * Every token embedding gets the same large value in dimension 0, which survives the residual stream,
 * so the final hidden state always has a big positive component there; the output head turns that
 * component into a fixed per-token bonus (or malus).
 */
function biasTowardsJsonClosers(tokenEmbedding: Tensor, head: Tensor, embedding: number): void {
  for (let token = 0; token < TINY_GGUF_VOCAB_SIZE; token++) {
    tokenEmbedding.data[token * embedding] = BIAS_DIMENSION_VALUE;
    head.data[token * embedding] = 0;
  }
  for (const [character, weight] of Object.entries(JSON_CLOSER_BIAS)) {
    head.data[(FIRST_BYTE_ID + character.charCodeAt(0)) * embedding] = weight;
  }
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
