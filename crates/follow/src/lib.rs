//! Watch-service sources (work in progress).
