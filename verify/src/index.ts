export * from './abi';
export * from './encoding';
export * from './merkle';
export * from './proof-file';
export * from './verify';
