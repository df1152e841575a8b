/**
 * Greenfield's `speedPolicy` is btpay's `required_confirmations`: how many confirmations make an
 * invoice Settled (btpay `confirmed`). The four policies are exactly btpay's four allowed counts.
 */
export const SPEED_POLICIES = {
  HighSpeed: 0,
  MediumSpeed: 1,
  LowMediumSpeed: 2,
  LowSpeed: 6,
} as const;
export type SpeedPolicy = keyof typeof SPEED_POLICIES;

export const isSpeedPolicy = (value: unknown): value is SpeedPolicy =>
  typeof value === "string" && Object.hasOwn(SPEED_POLICIES, value);

/** The policy of a confirmation count; a count btpay never stores reads as the nearest stricter policy. */
export function speedPolicyFor(confirmations: number): SpeedPolicy {
  if (confirmations <= 0) return "HighSpeed";
  if (confirmations === 1) return "MediumSpeed";
  if (confirmations === 2) return "LowMediumSpeed";
  return "LowSpeed";
}
