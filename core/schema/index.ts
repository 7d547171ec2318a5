/** Public schemas of runtrail: records, REST contract, limits. */
export * from './primitives';
export * from './records';
export * from './api';
export * from './registry';
export * from './mlflow';
export { exportJsonSchemas } from './jsonschema';
