//! Plots (todo).
