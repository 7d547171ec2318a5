/** Public API of @runtrail/core. Subpaths (`@runtrail/core/schema`, `/capture`, ...) give the same by feature. */
export * from './schema';
export * from './capture';
export * from './diff';
export * from './sync';
export * from './client';
export * from './analysis';
export * from './pipeline';
