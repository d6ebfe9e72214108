/**
 * @effect-threatstack/core: the Effect-native client for the Threat Stack API.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Agents from "./Agents.js"
/** @since 0.1.0 */
export * as Alerts from "./Alerts.js"
/** @since 0.1.0 */
export * as FakeThreatStack from "./FakeThreatStack.js"
/** @since 0.2.0 */
export * as FetchThreatStack from "./FetchThreatStack.js"
/** @since 0.2.0 */
export * as HawkCrypto from "./HawkCrypto.js"
/** @since 0.1.0 */
export * as Logs from "./Logs.js"
/** @since 0.1.0 */
export * as Organizations from "./Organizations.js"
/** @since 0.1.0 */
export * as Pagination from "./Pagination.js"
/** @since 0.1.0 */
export * as Policies from "./Policies.js"
/** @since 0.2.0 */
export * as PromiseResponse from "./PromiseResponse.js"
/** @since 0.1.0 */
export * as Resource from "./Resource.js"
/** @since 0.1.0 */
export * as ThreatStack from "./ThreatStack.js"
/** @since 0.1.0 */
export * as ThreatStackClient from "./ThreatStackClient.js"
/** @since 0.1.0 */
export * as ThreatStackConfig from "./ThreatStackConfig.js"
/** @since 0.1.0 */
export * as ThreatStackError from "./ThreatStackError.js"
/** @since 0.2.0 */
export * as ThreatStackV2 from "./ThreatStackV2.js"
/** @since 0.1.0 */
export * as TimeRange from "./TimeRange.js"
/** @since 0.2.0 */
export * as TransportDeadline from "./TransportDeadline.js"
/** @since 0.2.0 */
export * as V2 from "./v2/index.js"
