/** Every limiter library the analysis models, by framework; their descriptors are what the rest of the tool reads. */
import { FLASK_LIBRARIES } from './flask';
import { ASGI_LIBRARIES } from './fastapi';
import { DJANGO_LIBRARIES } from './django';
import type { LibraryDescriptor } from './library';

export const LIBRARY_DESCRIPTORS: readonly LibraryDescriptor[] = [...FLASK_LIBRARIES, ...ASGI_LIBRARIES, ...DJANGO_LIBRARIES].map((l) => l.descriptor);

/** The descriptor of the library a limit names (`Limit.library`). */
export function descriptorOf(id: string): LibraryDescriptor | undefined {
  return LIBRARY_DESCRIPTORS.find((d) => d.id === id);
}
