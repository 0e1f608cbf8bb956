/** The record schema module: types, the per-task details spec, and the validator. Browser-safe. */
export * from './schema';
export * from './details';
export * from './spec';
export * from './validate';
