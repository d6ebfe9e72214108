/**
 * @effect-threatstack/node: Node layers for the Threat Stack SDK, the fake
 * API on a real port, and the `threatstack` command line.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as CliOutput from "./CliOutput.js"
/** @since 0.1.0 */
export * as Demo from "./Demo.js"
/** @since 0.1.0 */
export * as FakeServer from "./FakeServer.js"
/** @since 0.2.0 */
export * as NodeHawkCrypto from "./NodeHawkCrypto.js"
/** @since 0.1.0 */
export * as NodeThreatStack from "./NodeThreatStack.js"
