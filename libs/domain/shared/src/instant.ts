import { DomainError } from './domain-error';
import { CommandMetadata } from './decider';

/**
 * ISO-8601 instants without `Date` (deciders must not read a clock, and `Date` is banned in libs/domain).
 * Parsing to epoch milliseconds makes comparisons exact: comparing ISO strings as text is wrong as soon as two
 * writers differ in precision (`…:00Z` sorts after `…:00.500Z`) or in offset (`+02:00`).
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds of an ISO-8601 instant with a zone (`Z` or `±hh:mm`), or `undefined` when it is not one. */
export function parseInstant(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_INSTANT.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const minutes = (daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes;
  return minutes * MS_PER_MINUTE + second * 1000 + millis;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`, the same text `Date.prototype.toISOString` gives for years 0000–9999. */
export function formatInstant(epochMillis: number): string {
  if (!Number.isFinite(epochMillis)) throw new TypeError('formatInstant: non-finite instant');
  const ms = Math.trunc(epochMillis);
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const [year, month, day] = civilFromDays(days);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / MS_PER_MINUTE);
  rest -= minute * MS_PER_MINUTE;
  const second = Math.floor(rest / 1000);
  const millis = rest - second * 1000;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}Z`;
}

/** The instant `ms` milliseconds after `iso`, normalised to UTC with millisecond precision. */
export function addMilliseconds(iso: string, ms: number): string {
  const start = parseInstant(iso);
  if (start === undefined) throw new TypeError(`addMilliseconds: not an ISO-8601 instant: ${iso}`);
  return formatInstant(start + ms);
}

/** Negative when `a` is earlier than `b`, 0 when they are the same instant, positive when later. */
export function compareInstants(a: string, b: string): number {
  const left = parseInstant(a);
  const right = parseInstant(b);
  if (left === undefined || right === undefined) throw new TypeError(`compareInstants: not ISO-8601 instants: ${a}, ${b}`);
  return left - right;
}

export const isAtOrAfter = (a: string, b: string): boolean => compareInstants(a, b) >= 0;
export const isBefore = (a: string, b: string): boolean => compareInstants(a, b) < 0;

/**
 * Guards the metadata every decider relies on: `now` must be an ISO-8601 instant and `actor` non-empty.
 * Throws `COMMAND.INVALID_METADATA` (invalid) — a caller bug, never a user's.
 */
export function assertCommandMetadata(metadata: CommandMetadata): void {
  if (parseInstant(metadata?.now) === undefined) {
    throw new DomainError('COMMAND.INVALID_METADATA', 'invalid', 'metadata.now must be an ISO-8601 instant with a zone', {
      field: 'metadata.now',
    });
  }
  if (typeof metadata.actor !== 'string' || metadata.actor.trim() === '') {
    throw new DomainError('COMMAND.INVALID_METADATA', 'invalid', 'metadata.actor must be a non-empty id', { field: 'metadata.actor' });
  }
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
