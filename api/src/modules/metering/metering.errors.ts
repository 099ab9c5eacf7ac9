/** Per-item ingest outcomes. Clients switch on `code`, never on the message. */
export const INGEST_ERROR_CODES = [
  'MALFORMED',
  'UNKNOWN_METER',
  'VIRTUAL_METER',
  'WRONG_UNIT',
  'NOT_FINITE',
  'NEGATIVE_REGISTER',
  'FUTURE_TIMESTAMP',
  'TIMESTAMP_OUT_OF_RANGE',
  'DUPLICATE_IN_BATCH',
  'BAD_SIGNATURE',
  'BATCH_REPLAYED',
  'BATCH_TOO_LARGE',
] as const;
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

export const INGEST_ERROR_MESSAGES: Record<IngestErrorCode, string> = {
  MALFORMED: 'The reading is not of the form { meterId | meterCode, ts, value, unit }',
  UNKNOWN_METER: 'No meter with this id or code in the enterprise',
  VIRTUAL_METER: 'Virtual meters are computed from other meters and take no readings',
  WRONG_UNIT: 'The unit is not the meter unit and has no exact conversion to it',
  NOT_FINITE: 'The value is not a finite number',
  NEGATIVE_REGISTER: 'Cumulative and interval meters cannot report negative values',
  FUTURE_TIMESTAMP: 'The timestamp is further in the future than the allowed clock skew',
  TIMESTAMP_OUT_OF_RANGE: 'The timestamp is not a valid time after 1990-01-01',
  DUPLICATE_IN_BATCH: 'The same meter and timestamp appear earlier in this batch',
  BAD_SIGNATURE: 'The batch signature does not verify against an active key of the device',
  BATCH_REPLAYED: 'This batch id was already used for a different payload',
  BATCH_TOO_LARGE: 'The batch holds more readings than allowed per call',
};

/** Reasons a whole message lands in the dead-letter table (MQTT). */
export type DeadLetterReason = 'BAD_TOPIC' | 'NOT_JSON' | 'BAD_ENVELOPE' | 'BAD_SIGNATURE' | 'INGEST_FAILED';

/**
 * Errors of the CSV and XLSX imports, by row (1-based, header = row 1; 0 = the whole file) and column
 * name; XLSX errors also name the sheet.
 */
export interface CsvRowError {
  sheet?: string | null;
  row: number;
  column: string | null;
  code: IngestErrorCode | 'BAD_HEADER' | 'BAD_CSV' | 'BAD_XLSX' | 'BAD_CELL' | 'TOO_MANY_ROWS';
  message: string;
}
