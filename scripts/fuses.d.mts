/** Types of scripts/fuses.mjs, for the test that flips a synthetic fuse wire. */
export declare const FUSE_CONFIG: Readonly<Record<string, boolean | string>>;
export declare function flipFuses(electronPath: string): Promise<void>;
