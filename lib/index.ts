export * from './security-hub-members';
