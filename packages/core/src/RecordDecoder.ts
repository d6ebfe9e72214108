/**
 * Fast decoding of record pages, with exactly the Schema's result.
 *
 * A general Schema decode of a 100-alert page costs about 15 times a plain
 * `JSON.parse` (measured: `pnpm bench`). Records are flat objects of
 * strings, numbers, booleans and timestamps, so a decoder specialised from
 * the record's Schema does the same checks field by field and copies the
 * object (keeping fields the API adds later). Fields of any other shape are
 * decoded by their own Schema. When anything does not match, the whole input
 * is decoded again by the Schema itself, so errors (message and path) are
 * exactly the Schema's.
 *
 * @since 0.1.0
 */
import { DateTime, Either, type ParseResult, Schema, SchemaAST } from "effect"
import { Timestamp } from "./Timestamp.js"

/**
 * A decoder of unknown JSON into `A`, failing with the Schema's `ParseError`.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Policies, RecordDecoder } from "@effect-threatstack/core"
 *
 * const decode: RecordDecoder.Decoder<ReadonlyArray<Policies.Policy>> = RecordDecoder.array(Policies.Policy)
 * Either.isRight(decode([])) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Decoder<A> = (input: unknown) => Either.Either<A, ParseResult.ParseError>

const parseOptions = { onExcessProperty: "preserve", errors: "first" } as const

/** Marks a value a fast field check refused. */
const MISMATCH: unique symbol = Symbol("MISMATCH")
type Field = (value: unknown) => unknown

const toDateTime: Field = (value) => {
  if (typeof value === "number") return Number.isFinite(value) ? DateTime.unsafeMake(value) : MISMATCH
  if (typeof value !== "string") return MISMATCH
  // the API's ISO strings end in Z: Date.parse reads those as UTC, as DateTime does;
  // anything else (no zone, an offset) goes through DateTime's own parsing
  if (value.endsWith("Z")) {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? MISMATCH : DateTime.unsafeMake(ms)
  }
  const made = DateTime.make(value)
  return made._tag === "Some" ? DateTime.toUtc(made.value) : MISMATCH
}

const isInt = (ast: SchemaAST.AST) =>
  ast._tag === "Refinement" &&
  ast.from._tag === "NumberKeyword" &&
  SchemaAST.getSchemaIdAnnotation(ast).pipe((id) => id._tag === "Some" && id.value === Schema.IntSchemaId)

/** A fast check for the field shapes records are made of; `undefined` for any other. */
const fastField = (ast: SchemaAST.AST): Field | undefined => {
  if (ast === Timestamp.ast) return toDateTime
  switch (ast._tag) {
    case "StringKeyword":
      return (v) => (typeof v === "string" ? v : MISMATCH)
    case "NumberKeyword":
      return (v) => (typeof v === "number" ? v : MISMATCH)
    case "BooleanKeyword":
      return (v) => (typeof v === "boolean" ? v : MISMATCH)
    case "Union": {
      const [a, b] = ast.types
      if (ast.types.length !== 2 || a === undefined || b === undefined) return undefined
      const [nullable, other] = SchemaAST.isLiteral(a) && a.literal === null ? [a, b] : [b, a]
      if (!(SchemaAST.isLiteral(nullable) && nullable.literal === null)) return undefined
      const inner = fastField(other)
      return inner === undefined ? undefined : (v) => (v === null ? null : inner(v))
    }
  }
  return isInt(ast) ? (v) => (typeof v === "number" && Number.isSafeInteger(v) ? v : MISMATCH) : undefined
}

/** A field decoded by its own Schema (nested objects, arrays). */
const schemaField = (schema: Schema.Schema.AnyNoContext): Field => {
  const decode = Schema.decodeUnknownEither(schema, parseOptions)
  return (value) => {
    const result = decode(value)
    return result._tag === "Right" ? result.right : MISMATCH
  }
}

/** Decodes one record, or returns `MISMATCH`. `undefined` when the struct has fields this cannot handle. */
const recordFast = (struct: Schema.Struct<Schema.Struct.Fields>): ((input: unknown) => unknown) | undefined => {
  const fields: Array<readonly [string, Field]> = []
  for (const [key, field] of Object.entries(struct.fields)) {
    if (!Schema.isSchema(field)) return undefined // optional and renamed fields: let the Schema do it
    fields.push([key, fastField(field.ast) ?? schemaField(field as Schema.Schema.AnyNoContext)])
  }
  return (input) => {
    if (typeof input !== "object" || input === null || Array.isArray(input)) return MISMATCH
    const record = input as Record<string, unknown>
    const out: Record<string, unknown> = { ...record }
    for (const [key, decode] of fields) {
      if (!(key in record)) return MISMATCH
      const value = decode(record[key])
      if (value === MISMATCH) return MISMATCH
      out[key] = value
    }
    return out
  }
}

/**
 * A decoder of one record.
 *
 * @example
 * ```ts
 * import { Alerts, RecordDecoder } from "@effect-threatstack/core"
 *
 * const decode = RecordDecoder.record(Alerts.Alert)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const record = <F extends Schema.Struct.Fields>(struct: Schema.Struct<F>): Decoder<Schema.Struct.Type<F>> => {
  const slow = Schema.decodeUnknownEither(struct as unknown as Schema.Schema<Schema.Struct.Type<F>>, parseOptions)
  const fast = recordFast(struct as unknown as Schema.Struct<Schema.Struct.Fields>)
  if (fast === undefined) return slow
  return (input) => {
    const out = fast(input)
    return out === MISMATCH ? slow(input) : Either.right(out as Schema.Struct.Type<F>)
  }
}

/**
 * A decoder of a page: a JSON array of records.
 *
 * @example
 * ```ts
 * import { Alerts, RecordDecoder } from "@effect-threatstack/core"
 *
 * const decodePage = RecordDecoder.array(Alerts.Alert)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const array = <F extends Schema.Struct.Fields>(
  struct: Schema.Struct<F>
): Decoder<ReadonlyArray<Schema.Struct.Type<F>>> => {
  const slow = Schema.decodeUnknownEither(
    Schema.Array(struct) as unknown as Schema.Schema<ReadonlyArray<Schema.Struct.Type<F>>>,
    parseOptions
  )
  const fast = recordFast(struct as unknown as Schema.Struct<Schema.Struct.Fields>)
  if (fast === undefined) return slow
  return (input) => {
    if (!Array.isArray(input)) return slow(input)
    const out: Array<unknown> = new Array(input.length)
    for (let i = 0; i < input.length; i++) {
      const decoded = fast(input[i])
      if (decoded === MISMATCH) return slow(input)
      out[i] = decoded
    }
    return Either.right(out as Array<Schema.Struct.Type<F>>)
  }
}

/**
 * A decoder from any Schema (no fast path): what `ThreatStackClient.get`
 * uses when given a Schema.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { RecordDecoder } from "@effect-threatstack/core"
 *
 * const decode = RecordDecoder.fromSchema(Schema.Array(Schema.Unknown))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSchema = <A, I>(schema: Schema.Schema<A, I>): Decoder<A> =>
  Schema.decodeUnknownEither(schema, parseOptions)
