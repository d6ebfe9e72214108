#!/usr/bin/env node
// Runs the TypeScript sources directly (through tsx) inside the workspace.
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
