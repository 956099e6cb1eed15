/**
 * The one contract of a limiter library: a descriptor of what it is (names, rate grammar, default counting,
 * over-limit answer) and a resolver built once per project that says, per route and method, which of its limits
 * apply. Everything else that knows the libraries (the parse shortcut's seeds, third-party names, the limit
 * declarations, simulate, windows, verify's predictions, the probes' stand-ins, the fixer) reads the descriptors.
 */
import type { Project } from '../python/project';
import type { Strategy, LimitOrder } from '../limiter/limiter';
import type { ParsedRate } from '../ratelimit/grammar';
import type { LibraryResolver } from './protection';

export interface LibraryDescriptor {
  id: string; // as limits name it (`Limit.library`) and `simulate --library` takes it
  name: string; // as messages name it
  distribution: string; // the package name in requirements and lock files
  packages: string[]; // top-level import names
  debian?: string; // the Debian package providing it; the probes stand in for libraries without one
  dependencies?: string[]; // import names of what it pulls in that the probes stand in for too
  limiterClasses?: string[]; // qualified names of its limiter object's class
  spoofableKeyFunctions?: string[]; // its own key functions that read a header the client sets
  /** How it reads the rate strings users write; absent when rates are not written as strings. */
  grammar?: { parse: (text: string) => ParsedRate & { note?: string }; order?: LimitOrder };
  counting: Strategy; // how it counts by default, as the reference limiter reproduces it
  rejection: { status: number; retryAfter: boolean }; // its over-limit answer by default
  constants?: Readonly<Record<string, string>>; // texts its named constants hold, by qualified name (see Modelled)
}

/** A limiter library: its descriptor and its resolver, built once per project with the framework's `scope`. */
export interface LimiterLibrary<C, S> {
  descriptor: LibraryDescriptor;
  resolver(project: Project, scope: S): LibraryResolver<C> | undefined;
}
