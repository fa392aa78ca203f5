// @ts-nocheck
// The record format's identifier, apart from the zod schema so that building a record never loads zod.
export const RECORD_SCHEMA_ID = "deploycheck/record/v1";
