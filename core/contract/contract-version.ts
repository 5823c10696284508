/**
 * The run contract's version that dl-lab writes. Readers accept every minor version up to it
 * (schemas/common.schema.json `schema_version`): 1.1 only adds optional fields and values.
 */
export const CONTRACT_VERSION = '1.1' as const;
