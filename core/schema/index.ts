/** Public schemas of runtrail: records, REST contract, limits. */
export * from './primitives';
export * from './records';
export * from './api';
export { exportJsonSchemas } from './jsonschema';
