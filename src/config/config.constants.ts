/** Injection token for the loaded HenConfig. */
export const HEN_CONFIG = Symbol('HEN_CONFIG');
