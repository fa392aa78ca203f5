// @ts-nocheck
// `node --import ./trace-loads.mjs ...`: logs every module URL the process resolves to $DC_TRACE_FILE,
// so tests can assert which modules a command loads (e.g. that --help never loads the Kubernetes client).
import { register } from "node:module";

register("./trace-hooks.mjs", import.meta.url);
