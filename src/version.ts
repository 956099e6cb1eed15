import pkg from '../package.json';

export const VERSION: string = pkg.version;
export const TOOL_NAME = 'apiposture';
export const INFORMATION_URI = 'https://github.com/apiposture/apiposture';
