import { pino } from "pino";

export type Logger = pino.Logger;

/**
 * One JSON line per event on stdout. Secrets never reach a log line: the request logger writes no
 * headers or bodies, and these paths are censored in case a caller passes a whole object.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "btpay" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "apiKey",
          "*.apiKey",
          "secret",
          "*.secret",
          "key",
          "*.key",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
