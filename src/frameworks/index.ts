/** The framework analyzers, each emitting framework-neutral routes with their protection resolved. */
import type { Analyzer } from './common';
import { flask } from './flask';
import { fastapi } from './fastapi';
import { django } from './django';

export const ANALYZERS: readonly Analyzer[] = [flask, fastapi, django];
