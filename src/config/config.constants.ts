/** Injection token for the function that reads the configuration file again (see ConfigReloader). */
export const CONFIG_LOADER = Symbol('CONFIG_LOADER');
