/**
 * Fast decoding of record pages, with exactly the Schema's result.
 *
 * A general Schema decode of a 100-alert page costs about 15 times a plain
 * `JSON.parse` (measured: `pnpm bench`). Records are flat objects of
 * strings, numbers, booleans and timestamps, so a decoder specialised from
 * the record's Schema does the same checks field by field and copies the
 * object (keeping fields the API adds later). Fields of any other shape are
 * decoded by their own Schema. When anything does not match, the whole input
 * is decoded again by the Schema itself, so results and errors (message and
 * path) are exactly the Schema's: a hostile body can end in the Schema's
 * `ParseError`, never in a defect. The fast checks read JSON values only
 * (what `JSON.parse` makes: no getters, no proxies) and cannot throw on them.
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
 * import { Policies } from "@effect-threatstack/core"
 * import * as RecordDecoder from "./RecordDecoder.js" // internal: inside packages/core only
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

/** The instants a `Date` (and so a `DateTime`) can hold: ±8.64e15 ms. */
const MAX_EPOCH_MS = 8.64e15

/** The prototype of `DateTime.Utc` values, taken from one. */
const UtcProto: object = Object.getPrototypeOf(DateTime.unsafeMake(0))
const partsUtc: PropertyDescriptor = { value: undefined, enumerable: false, writable: true }

/**
 * `DateTime.unsafeMake(ms)` for a finite `ms` within `Date`'s range, without
 * the `Date` it builds on the way: the same prototype and own properties
 * (`epochMillis`, and `partsUtc` not enumerable), and the same instant, which
 * `Date` truncates to a whole millisecond (and -0 to 0). Records hold several
 * timestamps each, so this is most of the cost of decoding a page.
 */
const utc = (ms: number): DateTime.Utc => {
  const self = Object.create(UtcProto)
  self.epochMillis = Math.trunc(ms) + 0
  Object.defineProperty(self, "partsUtc", partsUtc)
  return self
}

/** Two decimal digits at `i`, or NaN. */
const twoDigits = (text: string, i: number): number => {
  const a = text.charCodeAt(i) - 48
  const b = text.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN
}

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1-12). */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * `Date.parse` of the one form the API writes, `YYYY-MM-DDTHH:MM:SS.sssZ`,
 * in a fifth of its time (a page holds hundreds); `undefined` for any other
 * text or any out-of-range part, which `Date.parse` then judges. A day past
 * its month's end is left to `Date.parse` too: engines differ there (V8
 * rolls it over into the next month).
 */
export const canonicalIso = (text: string): number | undefined => {
  if (text.length !== 24 || text[4] !== "-" || text[7] !== "-" || text[10] !== "T" || text[13] !== ":") return undefined
  if (text[16] !== ":" || text[19] !== ".") return undefined
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2)
  const month = twoDigits(text, 5)
  const day = twoDigits(text, 8)
  const hour = twoDigits(text, 11)
  const minute = twoDigits(text, 14)
  const second = twoDigits(text, 17)
  const last = text.charCodeAt(22) - 48
  const millis = twoDigits(text, 20) * 10 + (last >= 0 && last <= 9 ? last : Number.NaN)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  // every comparison is false for NaN: a non-digit anywhere falls through
  if (
    !(year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59 && millis >= 0)
  ) {
    return undefined
  }
  if (day > (month === 2 && leap ? 29 : (daysInMonth[month - 1] as number))) return undefined
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
}

const toDateTime: Field = (value) => {
  if (typeof value === "number") {
    return Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MS ? utc(value) : MISMATCH
  }
  if (typeof value !== "string") return MISMATCH
  // the API's ISO strings end in Z: Date.parse reads those as UTC, as DateTime does;
  // anything else (no zone, an offset) goes through DateTime's own parsing
  // Stryker disable next-line MethodExpression,BlockStatement: a Z-ended string DateTime.make reads too, to the same instant: a cost only
  if (value.endsWith("Z")) {
    const ms = canonicalIso(value) ?? Date.parse(value)
    return Number.isNaN(ms) ? MISMATCH : utc(ms)
  }
  const made = DateTime.make(value)
  return made._tag === "Some" ? DateTime.toUtc(made.value) : MISMATCH
}

// Stryker disable all: declining an Int, or taking another shape for one (whose check then refuses its values),
// leaves the field to a Schema, which gives the same value or error: a cost only
const isInt = (ast: SchemaAST.AST) =>
  ast._tag === "Refinement" &&
  ast.from._tag === "NumberKeyword" &&
  SchemaAST.getSchemaIdAnnotation(ast).pipe((id) => id._tag === "Some" && id.value === Schema.IntSchemaId)
// Stryker restore all

/**
 * A fast check for the field shapes records are made of; `undefined` for any
 * other. `same`: the decoded value is the input value itself (only checked).
 * A shape declined here is decoded by its own Schema, and a value a check
 * refuses sends the whole input to the Schema: either way the same result,
 * so only a check that accepts too much changes what callers see.
 */
const fastField = (ast: SchemaAST.AST): { readonly decode: Field; readonly same: boolean } | undefined => {
  // Stryker disable next-line ConditionalExpression: not taken here, a Timestamp is decoded by its own Schema, to the same DateTime: a cost only
  if (ast === Timestamp.ast) return { decode: toDateTime, same: false }
  switch (ast._tag) {
    case "StringKeyword":
      // Stryker disable next-line BooleanLiteral: `same: false` writes the value back over itself: a cost only
      return { decode: (v) => (typeof v === "string" ? v : MISMATCH), same: true }
    case "NumberKeyword":
      // Stryker disable next-line BooleanLiteral: `same: false` writes the value back over itself: a cost only
      return { decode: (v) => (typeof v === "number" ? v : MISMATCH), same: true }
    case "BooleanKeyword":
      // Stryker disable next-line BooleanLiteral: `same: false` writes the value back over itself: a cost only
      return { decode: (v) => (typeof v === "boolean" ? v : MISMATCH), same: true }
    case "UnknownKeyword":
      return { decode: (v) => v, same: true }
    case "TupleType":
      return arrayField(ast)
    case "TypeLiteral":
      return ast.indexSignatures.length === 0 ? structField(ast) : recordField(ast)
    // Stryker disable next-line ConditionalExpression,BlockStatement: a union declined is decoded by its own Schema: a cost only
    case "Union": {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a two-member union declined costs its Schema; a longer one taken as `null | its second member` checks that member alone and sends any other value to the Schema: the same records
      if (ast.types.length !== 2) return undefined
      const [a, b] = ast.types as unknown as readonly [SchemaAST.AST, SchemaAST.AST]
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the wrong member taken for null is caught just below (declined: a cost only)
      const [nullable, other] = SchemaAST.isLiteral(a) && a.literal === null ? [a, b] : [b, a]
      if (!(SchemaAST.isLiteral(nullable) && nullable.literal === null)) return undefined
      const inner = fastField(other)
      if (inner === undefined) return undefined
      const decode = inner.decode
      return { decode: (v) => (v === null ? null : decode(v)), same: inner.same }
    }
  }
  // Stryker disable next-line ConditionalExpression: any shape taken for an Int refuses what is not one (the Schema's to judge), and an Int declined costs its Schema
  if (!isInt(ast)) return undefined
  // Stryker disable next-line BooleanLiteral: `same: false` writes the value back over itself: a cost only
  return { decode: (v) => (typeof v === "number" && Number.isSafeInteger(v) ? v : MISMATCH), same: true }
}

/**
 * An object the Schema reads as a struct or a record: not null, not an
 * array, and with no own `__proto__` key (the Schema builds its result by
 * assignment, which drops such a key: that input is left to it).
 */
const isPlainObject = (v: unknown): v is Record<PropertyKey, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !Object.hasOwn(v, "__proto__")

/** A field the fast path only checks: its decoded value is the input's own. */
type Checked = { readonly decode: Field; readonly same: true }

/**
 * Nested values are only checked, never rewritten, so that a record that
 * fails later is left as it came (the Schema then decodes it whole): the
 * shapes below are taken only when every value inside them decodes to
 * itself (no timestamps), and their value is the input's own, as the
 * Schema's equals it.
 */
const onlyChecked = (ast: SchemaAST.AST): Field | undefined => {
  const fast = fastField(ast)
  return fast?.same === true ? fast.decode : undefined
}

/** `Schema.Array(X)` of a checked-only `X`. */
const arrayField = (ast: SchemaAST.TupleType): Checked | undefined => {
  const [rest, ...more] = ast.rest
  if (ast.elements.length !== 0 || rest === undefined || more.length !== 0) return undefined
  const element = onlyChecked(rest.type)
  if (element === undefined) return undefined
  return {
    decode: (v) => {
      if (!Array.isArray(v)) return MISMATCH
      for (let i = 0; i < v.length; i++) if (element(v[i]) === MISMATCH) return MISMATCH
      return v
    },
    same: true
  }
}

/** A nested `Schema.Struct` of required, checked-only fields, with no parse options of its own. */
const structField = (ast: SchemaAST.TypeLiteral): Checked | undefined => {
  if (SchemaAST.getParseOptionsAnnotation(ast)._tag === "Some") return undefined
  const fields: Array<readonly [PropertyKey, Field]> = []
  for (const property of ast.propertySignatures) {
    const check = onlyChecked(property.type)
    // Stryker disable next-line ConditionalExpression: an optional field taken as required sends a record without it to the Schema: a cost only
    if (property.isOptional || check === undefined) return undefined
    fields.push([property.name, check])
  }
  return {
    decode: (v) => {
      if (!isPlainObject(v)) return MISMATCH
      for (const [name, check] of fields) {
        const value = v[name]
        // left out: the Schema tells what that means for this field
        if (value === undefined || check(value) === MISMATCH) return MISMATCH
      }
      return v
    },
    same: true
  }
}

/**
 * `Schema.Record({ key: Schema.String, value: Schema.Unknown })`: any plain
 * object. Whatever its keys: with excess properties preserved, a key the
 * index does not take is kept as it is, as every key is here.
 */
const recordField = (ast: SchemaAST.TypeLiteral): Checked | undefined => {
  const [signature, ...more] = ast.indexSignatures
  if (ast.propertySignatures.length !== 0 || more.length !== 0 || signature?.type._tag !== "UnknownKeyword") {
    return undefined
  }
  return { decode: (v) => (isPlainObject(v) ? v : MISMATCH), same: true }
}

/** A field decoded by its own Schema (nested objects, arrays). */
const schemaField = (schema: Schema.Schema.AnyNoContext): Field => {
  const decode = Schema.decodeUnknownEither(schema, parseOptions)
  return (value) => {
    const result = decode(value)
    return result._tag === "Right" ? result.right : MISMATCH
  }
}

/**
 * The Schema of a field the fast path handles, and whether it may be left
 * out: a plain Schema, or `Schema.optional(schema)` (left out, it stays out;
 * given as `undefined`, the Schema judges). `undefined` for any other
 * property signature (defaults, renamed keys, `optionalWith`).
 */
const fieldSchema = (
  field: Schema.Struct.Field
): { readonly schema: Schema.Schema.AnyNoContext; readonly optional: boolean } | undefined => {
  if (Schema.isSchema(field)) return { schema: field as Schema.Schema.AnyNoContext, optional: false }
  const ast = field.ast
  if (!("from" in field) || !Schema.isSchema(field.from)) return undefined
  const from = field.from as Schema.Schema.AnyNoContext
  // Stryker disable ConditionalExpression: each guard is redundant with the others for every signature Schema
  // builds today (optional(schema) meets them all; propertySignature, optionalWith and the rest fail more than
  // one): together they decline whatever shape a later Schema might build
  const isOptional =
    ast._tag === "PropertySignatureDeclaration" &&
    ast.isOptional &&
    ast.defaultValue === undefined &&
    ast.type._tag === "Union" &&
    ast.type.types.length === 2 &&
    ast.type.types[0] === from.ast &&
    ast.type.types[1] === SchemaAST.undefinedKeyword
  // Stryker restore ConditionalExpression
  return isOptional ? { schema: from, optional: true } : undefined
}

/** One field of a plan: its key, its check, whether it may be left out. */
interface Slot {
  readonly key: string
  readonly decode: Field
  readonly optional: boolean
}

/** Marks an optional field left out of a record: nothing to write. */
const ABSENT: unique symbol = Symbol("ABSENT")

/**
 * The fast path for one struct: its fields and their checks. `check` decodes
 * a record's fields without touching the record, keeping the values that
 * differ from the input's (timestamps, nested values) in `values` (at
 * `offset`); `write` then produces the decoded record: a copy, or the input
 * itself when decoding in place, with those values written over.
 */
interface Plan {
  readonly size: number
  readonly check: (input: unknown, values: Array<unknown>, offset: number) => boolean
  readonly write: (input: unknown, values: ReadonlyArray<unknown>, offset: number, inPlace: boolean) => unknown
}

/** `undefined` when the struct has fields the fast path cannot handle. */
const plan = (struct: Schema.Struct<Schema.Struct.Fields>): Plan | undefined => {
  /** Fields decoded to the input's own value: only checked. */
  const checked: Array<Slot> = []
  /** Fields decoded to another value: kept, then written. */
  const changed: Array<Slot> = []
  for (const [key, field] of Object.entries(struct.fields)) {
    const found = fieldSchema(field)
    if (found === undefined) return undefined // renamed fields, defaults: let the Schema do it
    const fast = fastField(found.schema.ast)
    const slot = { key, decode: fast?.decode ?? schemaField(found.schema), optional: found.optional }
    // Stryker disable next-line ConditionalExpression: a checked field's value written back over itself: the same record, a cost only
    if (fast?.same === true) checked.push(slot)
    else changed.push(slot)
  }
  return {
    size: changed.length,
    check: (input, values, offset) => {
      if (typeof input !== "object" || input === null || Array.isArray(input)) return false
      const record = input as Record<string, unknown>
      for (let i = 0; i < checked.length; i++) {
        const slot = checked[i] as Slot
        const value = record[slot.key]
        // left out or given as undefined: the Schema tells which, and what it means
        if (value === undefined) {
          if (slot.optional && !(slot.key in record)) continue
          return false
        }
        if (slot.decode(value) === MISMATCH) return false
      }
      for (let i = 0; i < changed.length; i++) {
        const slot = changed[i] as Slot
        const value = record[slot.key]
        if (value === undefined) {
          if (slot.optional && !(slot.key in record)) {
            values[offset + i] = ABSENT
            continue
          }
          return false
        }
        const decoded = slot.decode(value)
        if (decoded === MISMATCH) return false
        values[offset + i] = decoded
      }
      return true
    },
    write: (input, values, offset, inPlace) => {
      const out: Record<string, unknown> = inPlace ? (input as Record<string, unknown>) : { ...(input as object) }
      for (let i = 0; i < changed.length; i++) {
        const value = values[offset + i]
        if (value !== ABSENT) out[(changed[i] as Slot).key] = value
      }
      return out
    }
  }
}

/**
 * Options of the decoders.
 *
 * @example
 * ```ts
 * import { Alerts } from "@effect-threatstack/core"
 * import * as RecordDecoder from "./RecordDecoder.js" // internal: inside packages/core only
 *
 * // for a fresh JSON.parse result that nothing else holds
 * const decodePage = RecordDecoder.array(Alerts.Alert, { inPlace: true })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Write the decoded values into the input instead of a copy: less garbage
   * on big listings. Only for input nothing else holds (a fresh
   * `JSON.parse`). The input is written only once every record has matched,
   * so on a mismatch it is left as it was. Default false.
   */
  readonly inPlace?: boolean | undefined
}

/**
 * The options for a body the pipeline has just parsed itself, which nothing
 * else holds: decoded in place. What every resource passes.
 */
// Stryker disable next-line ObjectLiteral,BooleanLiteral: decoded in place or on a copy, the records are the same (pages come from JSON.parse alone): a cost only
export const parsed: Options = { inPlace: true }

/**
 * A decoder of one record.
 *
 * @example
 * ```ts
 * import { Alerts } from "@effect-threatstack/core"
 * import * as RecordDecoder from "./RecordDecoder.js" // internal: inside packages/core only
 *
 * const decode = RecordDecoder.record(Alerts.Alert)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const record = <F extends Schema.Struct.Fields>(
  struct: Schema.Struct<F>,
  options?: Options
): Decoder<Schema.Struct.Type<F>> => {
  const slow = Schema.decodeUnknownEither(struct as unknown as Schema.Schema<Schema.Struct.Type<F>>, parseOptions)
  const fast = plan(struct as unknown as Schema.Struct<Schema.Struct.Fields>)
  if (fast === undefined) return slow
  const inPlace = options?.inPlace ?? false
  return (input) => {
    // Stryker disable next-line ArrayDeclaration: preallocated or grown, the array holds the same values: a cost only
    const values: Array<unknown> = new Array(fast.size)
    if (!fast.check(input, values, 0)) return slow(input)
    return Either.right(fast.write(input, values, 0, inPlace) as Schema.Struct.Type<F>)
  }
}

/**
 * A decoder of a page: a JSON array of records.
 *
 * @example
 * ```ts
 * import { Alerts } from "@effect-threatstack/core"
 * import * as RecordDecoder from "./RecordDecoder.js" // internal: inside packages/core only
 *
 * const decodePage = RecordDecoder.array(Alerts.Alert)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const array = <F extends Schema.Struct.Fields>(
  struct: Schema.Struct<F>,
  options?: Options
): Decoder<ReadonlyArray<Schema.Struct.Type<F>>> => {
  const slow = Schema.decodeUnknownEither(
    Schema.Array(struct) as unknown as Schema.Schema<ReadonlyArray<Schema.Struct.Type<F>>>,
    parseOptions
  )
  const fast = plan(struct as unknown as Schema.Struct<Schema.Struct.Fields>)
  if (fast === undefined) return slow
  const inPlace = options?.inPlace ?? false
  return (input) => {
    if (!Array.isArray(input)) return slow(input)
    // Stryker disable next-line ArrayDeclaration: preallocated or grown, the array holds the same values: a cost only
    const values: Array<unknown> = new Array(input.length * fast.size)
    for (let i = 0; i < input.length; i++) {
      if (!fast.check(input[i], values, i * fast.size)) return slow(input)
    }
    // Stryker disable next-line ArrayDeclaration: preallocated or grown, the array holds the same values: a cost only
    const out: Array<unknown> = inPlace ? input : new Array(input.length)
    for (let i = 0; i < input.length; i++) out[i] = fast.write(input[i], values, i * fast.size, inPlace)
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
 * import * as RecordDecoder from "./RecordDecoder.js" // internal: inside packages/core only
 *
 * const decode = RecordDecoder.fromSchema(Schema.Array(Schema.Unknown))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSchema = <A, I>(schema: Schema.Schema<A, I>): Decoder<A> =>
  Schema.decodeUnknownEither(schema, parseOptions)
