import type { VenueError } from '../types.ts';

/** A VenueError's detail without its "venue method: kind: " head, to put in a venue's error message. */
export function venueErrorDetail(error: VenueError): string {
  const head = `${error.venue} ${error.method}: ${error.kind}: `;
  return error.message.startsWith(head) ? error.message.slice(head.length) : error.message;
}
