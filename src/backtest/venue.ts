// A replayed venue on the port, built as paper trading builds its venues: the market-data side is a
// ReplayFeed (recorded frames through the live parsers and book syncs), the execution side a
// SimulatedExecution, put together by composeVenue. The engine cannot tell it from a live venue.

import { composeVenue, type Venue } from '../venues/venue.js';
import type { SimulatedExecution } from './execution.js';
import type { ReplayFeed } from './feed.js';

export function replayVenue(feed: ReplayFeed, execution: SimulatedExecution): Venue {
  return composeVenue(feed, execution);
}
