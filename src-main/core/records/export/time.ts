/**
 * Times as a record prints them. The doctor reads and pastes them in the workstation's local time;
 * FHIR needs the same instant with its offset, so a receiving system sees the clock the doctor saw.
 */

const pad = (n: number): string => String(n).padStart(2, '0');

/** 2026-12-07 */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 2026-12-07 10:30 */
export function localMinute(ms: number): string {
  const d = new Date(ms);
  return `${localDate(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** 2026-12-07T10:30:00+08:00: a FHIR dateTime (seconds are required once a time is given). */
export function fhirDateTime(ms: number): string {
  const d = new Date(ms);
  const east = -d.getTimezoneOffset();
  const offset = `${east >= 0 ? '+' : '-'}${pad(Math.floor(Math.abs(east) / 60))}:${pad(Math.abs(east) % 60)}`;
  return `${localDate(ms)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${offset}`;
}
