export * from './security-hub-members';
export * from './security-hub-invitation-accepter';
export * from './security-hub-members-audit';
export * from './security-hub-members-plan-step';
