/**
 * The admin forms' plain logic: a posted form read as the API's request body, and a problem the
 * API's code threw split into the reasons shown beside each field and the errors shown above the
 * form. Pure (no KV, D1 or HTTP), tested on plain values in form.test.ts.
 */
import type { InvalidParam } from "../../api/problem";

/** What a browser posted: each field's value as typed (a file input would be a File; these forms have none). */
export type FormValues = Record<string, string>;

/** The fields of the add-a-source form; each is named as the `POST /api/sources` body's field. */
export const SOURCE_FIELDS = ["url", "type", "include", "exclude", "keywords", "maxAgeDays", "trackDays", "intervalMinutes"] as const;
export type SourceField = (typeof SOURCE_FIELDS)[number];

/** The type select's first choice: no `type` in the body, so the source's content decides. */
export const AUTO_TYPE = "auto";

/** The values of a posted form, the last one of a repeated name; anything that is not text is left out. */
export function formValues(data: FormData): FormValues {
  const values: FormValues = {};
  for (const [name, value] of data) if (typeof value === "string") values[name] = value;
  return values;
}

/** One URLPattern or keyword a line; blank lines (and the spaces around each line) are not entries. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/**
 * A number field as the API reads it: a decimal number becomes a number, anything else stays the
 * text typed, so the API's own check refuses it and names the field and the value.
 */
function numberField(text: string): number | string {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

/**
 * The `POST /api/sources` body the add-a-source form stands for: empty fields are left out (the
 * API's defaults), the pattern and keyword boxes are one entry a line, the numbers are numbers.
 */
export function sourceBody(values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = { url: (values.url ?? "").trim() };
  const type = values.type?.trim();
  if (type && type !== AUTO_TYPE) body.type = type;
  for (const field of ["include", "exclude", "keywords"] as const) {
    const entries = lines(values[field] ?? "");
    if (entries.length > 0) body[field] = entries;
  }
  for (const field of ["maxAgeDays", "trackDays", "intervalMinutes"] as const) {
    const text = values[field]?.trim();
    if (text) body[field] = numberField(text);
  }
  return body;
}

/** A refused form: the reason beside each field the problem named, and the errors for the top of the form. */
export interface FormErrors {
  fields: Partial<Record<string, string>>;
  /** Problems of no one field (robots.txt, a busy host, a source that does not parse), and reasons for fields the form does not have. */
  general: string[];
}

/**
 * Splits a problem into the form's errors: each `invalid-params` entry naming one of `fields`
 * goes beside it; the detail goes on top when no field explains it.
 */
export function formErrors(detail: string, invalidParams: readonly InvalidParam[], fields: readonly string[]): FormErrors {
  const errors: FormErrors = { fields: {}, general: [] };
  for (const { name, reason } of invalidParams) {
    if (fields.includes(name)) errors.fields[name] = errors.fields[name] === undefined ? reason : `${errors.fields[name]}; ${reason}`;
    else errors.general.push(`${name}: ${reason}`);
  }
  if (Object.keys(errors.fields).length === 0 && errors.general.length === 0) errors.general.push(detail);
  return errors;
}

export const NO_ERRORS: FormErrors = { fields: {}, general: [] };
