import pino, { type Logger } from 'pino';

/** Structured JSON logs on stderr (stdout stays free for command output). */
export function createLogger(level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({ level, base: { service: 'edp' } }, pino.destination(2));
}

export type { Logger };
