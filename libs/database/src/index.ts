export * from './pools';
export * from './data-source';
