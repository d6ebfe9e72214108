/**
 * The v2 API's modules: the client and its settings, and each resource's
 * schemas, spec and operations. Use them through `ThreatStackV2`.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as Agents from "./Agents.js"
/** @since 0.2.0 */
export * as Alerts from "./Alerts.js"
/** @since 0.2.0 */
export * as AuditLogs from "./AuditLogs.js"
/** @since 0.2.0 */
export * as Client from "./Client.js"
/** @since 0.2.0 */
export * as Members from "./Members.js"
/** @since 0.2.0 */
export * as Rules from "./Rules.js"
/** @since 0.2.0 */
export * as Rulesets from "./Rulesets.js"
/** @since 0.2.0 */
export * as Servers from "./Servers.js"
/** @since 0.2.0 */
export * as Vulnerabilities from "./Vulnerabilities.js"
