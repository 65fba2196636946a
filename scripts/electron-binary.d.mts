export function electronBinary(): { path: string } | { path: undefined; reason: string };
