//! Bridge tests: locks, M-of-N releases exactly once, limits, pause.

mod inbound;
mod outbound;
