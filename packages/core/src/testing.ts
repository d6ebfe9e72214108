/**
 * `@effect-threatstack/core/testing`: the fake Threat Stack API, for tests
 * of code that uses the SDK (the same module as the main entry's
 * `FakeThreatStack`).
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as FakeThreatStack from "./FakeThreatStack.js"
