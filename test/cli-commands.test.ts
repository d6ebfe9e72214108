/**
 * The commands the `threatstack` help lists, run in this process: one per
 * resource and operation, named as the resource specs name them (their key,
 * their noun, whether they can be read one by one, which writes they take).
 */
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { cli } from "./cliInProcess.js"

afterEach(() => {
  vi.restoreAllMocks()
})

/** The COMMANDS section of the root help, one command per line with its summary (wrapped lines joined). */
const commands = (help: string): ReadonlyArray<string> => {
  const section = help.split("\n\n").find((part) => part.startsWith("COMMANDS")) ?? ""
  const lines: Array<string> = []
  for (const line of section.split("\n").slice(1)) {
    if (/^ {3,}\S/.test(line)) lines[lines.length - 1] = `${lines[lines.length - 1] ?? ""} ${line.trim()}`
    else lines.push(line.trim().replace(/\s{2,}/, " | "))
  }
  return lines.map((line) =>
    line.includes(" | ") ? line : line.replace(/^(\S+ \S+(?: <[^>]+>(?:\.\.\.)?)*) /, "$1 | ")
  )
}

describe("the root help", () => {
  it("lists every command of both generations, named as the resources are", async () => {
    const run = await cli("--help")
    expect(run.code).toBe(0)
    expect(commands(run.stdout)).toEqual([
      "agents list | list agents (v2 needs --status)",
      "agents get <ID> | get one of the agents by id (exit code 3 when not found)",
      "alerts list | list alerts (v2: active ones unless --status dismissed)",
      "alerts get <ID> | get one of the alerts by id (exit code 3 when not found)",
      "alerts dismiss <ID>... | v2: dismiss alerts by id, or by query with --where (more than one asks first: --yes when not on a terminal)",
      "alerts events <ID> | v2: the events that raised an alert",
      "alerts severity-counts | v2: how many alerts of each severity (dismissed ones included)",
      "logs list | list logs",
      "organizations list | list organizations",
      "organizations users <ORG_ID> | list the users of an organization",
      "policies list | list policies",
      "policies get <ID> | get one of the policies by id (exit code 3 when not found)",
      "vulnerabilities list | list vulnerabilities",
      "vulnerabilities get <CVE> | get one vulnerability (exit code 3 when not found)",
      "vulnerabilities servers <CVE> | the servers a CVE affects",
      "vulnerabilities suppressions | the vulnerability suppressions",
      "servers list | list the EC2 servers, monitored or not",
      "rulesets list | list rulesets",
      "rulesets get <ID> | get one ruleset (exit code 3 when not found)",
      "rulesets create | create a ruleset (exit code 8 when the name is taken)",
      "rulesets delete <ID> | delete a ruleset and its rules (asks first: --yes when not on a terminal)",
      "rulesets update <ID> | update a ruleset: what is not given is kept (--rule-id replaces the rule list)",
      "rules list <RULESET_ID> | list the rules of a ruleset",
      "rules get <RULESET_ID> <RULE_ID> | get one rule (exit code 3 when not found)",
      "rules create <RULESET_ID> | create a rule in a ruleset from a JSON file",
      "rules delete <RULESET_ID> <RULE_ID> | delete one rule",
      "rules tags <RULE_ID> | the EC2 tag filters of a rule (none: an empty table)",
      "rules update <RULESET_ID> <RULE_ID> | replace a rule with the one in a JSON file",
      "members list | list the members of the organization",
      "members add | add an existing user to the organization",
      "members invite | invite someone by e-mail",
      "members remove <USER_ID> | remove a member from the organization",
      "audit-logs list | list the audit log, newest first (default: the last 30 days)",
      "demo | v1: the guide's closing example (the alerts of the last hour, then the details of each); v2: a tour ending in a dismissal",
      "fake-server | serve the fake Threat Stack API until stopped"
    ])
  })
})
